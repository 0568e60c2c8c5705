import type { ValuePrompt } from '@invoice-signal/events';
import type { InvoiceNotification } from './notification.ts';

/** A recommended action as the API shows it; `code` is null for rows stored before actions were kept structured. */
export interface NextAction {
  code: string | null;
  text: string;
  dueBy: number | null;
  forFlags: string[];
}

/**
 * The assessment's actions with their dates and flags. A row stored before they were kept has only
 * the flattened texts (actions then value prompts): its actions are those texts minus the prompts'.
 */
export function actionsOf(n: InvoiceNotification): NextAction[] {
  if (n.details.actions) return n.details.actions.map((a) => ({ code: a.code, text: a.text, dueBy: a.dueBy, forFlags: a.forFlags }));
  const prompts = new Set(n.details.valuePrompts ?? []);
  return n.recommendedActions.filter((text) => !prompts.has(text)).map((text) => ({ code: null, text, dueBy: null, forFlags: [] }));
}

/** The value prompts with kind and data; an older row's texts read as kind `other`. */
export function promptsOf(n: InvoiceNotification): ValuePrompt[] {
  return n.details.prompts ?? (n.details.valuePrompts ?? []).map((text) => ({ kind: 'other' as const, text, data: {} }));
}
