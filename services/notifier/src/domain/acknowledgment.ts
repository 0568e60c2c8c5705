/**
 * What a CSM did about an invoice, from a closed set, so outreach can be counted. The four
 * contact actions are outreach; no_action_needed and other (with a note) are not.
 */
export const ackActions = ['contacted_customer', 'scheduled_call', 'sent_value_summary', 'confirmed_payment_date', 'no_action_needed', 'other'] as const;
export type AckAction = (typeof ackActions)[number];

export const contactActions: readonly AckAction[] = ['contacted_customer', 'scheduled_call', 'sent_value_summary', 'confirmed_payment_date'];
export const isContact = (action: string | null) => action !== null && (contactActions as readonly string[]).includes(action);

/** The one-click ones (Slack buttons, inbox): every action but other, which needs a note. */
export const oneClickActions: readonly AckAction[] = ackActions.filter((a) => a !== 'other');

export const ackLabels: Record<AckAction, string> = {
  contacted_customer: 'Contacted customer', scheduled_call: 'Scheduled a call', sent_value_summary: 'Sent value summary',
  confirmed_payment_date: 'Confirmed payment date', no_action_needed: 'No action needed', other: 'Other',
};

/** What an acknowledgment records; actionTaken null: acknowledged without saying what was done (the old bodiless form). */
export interface AckInput {
  actionTaken: AckAction | null;
  note: string | null;
}

/** One recorded acknowledgment: the current one on the notification, every one in its history. */
export interface Acknowledgment extends AckInput {
  by: string;
  at: number;
}

export type AckParse = { ok: AckInput } | { field: string; detail: string };

// A code is one lower-case word or snake_case words; anything else is the old free text.
const looksLikeCode = (v: string) => /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(v);

/**
 * The acknowledge body: `actionTaken` one of the set (other needs a note); the old free text
 * ("called the customer") is kept as other with the text as its note; a code not in the set is
 * refused, naming the field.
 */
export function parseAcknowledgment(body: { actionTaken?: string; note?: string } | null | undefined): AckParse {
  const action = body?.actionTaken;
  const note = body?.note?.trim() || null;
  if (action === undefined) return note === null ? { ok: { actionTaken: null, note: null } } : { ok: { actionTaken: 'other', note } };
  if ((ackActions as readonly string[]).includes(action)) {
    if (action === 'other' && note === null) return { field: 'body/note', detail: 'body/note is required with actionTaken "other"' };
    return { ok: { actionTaken: action as AckAction, note } };
  }
  if (looksLikeCode(action)) return { field: 'body/actionTaken', detail: `body/actionTaken must be one of ${ackActions.join(', ')} (got "${action}")` };
  if (note !== null) return { field: 'body/note', detail: 'body/note goes with one of the actions, not with free text in actionTaken' };
  return { ok: { actionTaken: 'other', note: action.trim() } };
}

/** The Slack button's action_id `ack:<action>`; null for anything else (the one-click set only). */
export function slackAckAction(actionId: string): AckAction | null {
  const m = /^ack:([a-z_]+)$/.exec(actionId);
  return m && (oneClickActions as readonly string[]).includes(m[1]) ? (m[1] as AckAction) : null;
}
