import { formatMoney } from './notification.ts';
import { dueDay } from './time-zone.ts';

/*
 * How the notifier shows times and money to its readers (the API's views, the outcomes report and
 * e-mail): one spelling for every edge that shows them.
 */

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Money as the API shows it: `amount` in integer minor units of `currency`, and as a CSM reads it. */
export const moneyView = (minor: number, currency: string) => ({ amount: minor, currency, amountDisplay: formatMoney(minor, currency) });

/** A due date as the API shows it: the instant (ISO-8601) and the day on the reader's calendar (`zone`). */
export const dueView = (dueAt: number | null, zone: string) => ({ dueDate: iso(dueAt), dueDay: dueAt === null ? null : dueDay(dueAt, zone) });
