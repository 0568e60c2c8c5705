// Types of cards.js (plain JS, served to the browser as is) for its TypeScript tests: it reads the API's notifications.
import type { NotificationView as View } from '../views.ts';

/** One invoice: its facts are those of its newest notification, as the API shows them. */
export interface Card extends Pick<View, 'invoiceId' | 'invoiceNumber' | 'customerId' | 'amountDisplay' | 'amount' | 'amountRemaining'
  | 'amountRemainingDisplay' | 'currency' | 'dueDay' | 'dueDate' | 'riskLevel' | 'status' | 'failureReason' | 'flags' | 'actions' | 'valuePrompts'
  | 'customerContext' | 'healthTrend' | 'paymentHistory' | 'hostedInvoiceUrl' | 'timeline' | 'issuedAt'> {
  customerName: string;
  notifications: View[];
  section: 'open' | 'done' | 'settled';
  recorded: { action: string | null; note: string | null; at: string } | null;
  dispute: 'open' | 'won' | 'lost' | null;
  signature: string;
}
export interface Step { event: string; label: string; at: string | null; count: number }
export interface ShownAction { text: string; day: string | null; when: string | null }
export interface Filter { risk?: string; status?: string; account?: string; search?: string }

export const settledStatuses: string[];
export const riskOrder: Record<string, number>;
export const statusLabels: Record<string, string>;
export const kindLabels: Record<string, string>;
export const ackActions: Array<[string, string]>;
export function ackLabel(action: string | null): string;
export function groupByInvoice(notifications: View[]): Card[];
export function toCard(notifications: View[]): Card;
export function pathOf(card: Card): Step[];
export function nextActions(card: Card, now: number, limit?: number): { shown: ShownAction[]; more: ShownAction[] };
export function shorten(text: string, card: Pick<Card, 'invoiceNumber' | 'invoiceId'>): string;
export function valueSummaryOf(card: Card): string | null;
export function isoDay(ms: number): string;
export function matches(card: Card, filter: Filter): boolean;
export function compareCards(sort: string): (a: Card, b: Card) => number;
