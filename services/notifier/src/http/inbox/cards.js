// The inbox's model, without the DOM: notifications of the CSM API grouped into one card per
// invoice, with what the card shows (current status, short timeline, next actions, value-summary
// draft) and the filters. Served to the browser as is and unit-tested (cards.test.ts).

export const settledStatuses = ['paid', 'voided', 'uncollectible'];
/** Alerts that keep a settled invoice in front of the CSM until acknowledged. */
const actionKinds = ['disputed', 'written_off'];
export const riskOrder = { high: 3, medium: 2, low: 1, none: 0 };

export const statusLabels = {
  pending: 'Awaiting payment', failed: 'Payment failed', overdue: 'Overdue', paid: 'Paid', voided: 'Voided', uncollectible: 'Written off',
};
export const kindLabels = { invoice_issued: 'Invoice issued', payment_failed: 'Payment failed', overdue: 'Overdue', disputed: 'Chargeback', written_off: 'Written off' };

/** What the CSM records, in the order the buttons show them; `other` asks for a note. */
export const ackActions = [
  ['contacted_customer', 'Contacted customer'],
  ['scheduled_call', 'Scheduled a call'],
  ['sent_value_summary', 'Sent value summary'],
  ['confirmed_payment_date', 'Confirmed payment date'],
  ['no_action_needed', 'No action needed'],
];
const ackLabels = Object.fromEntries([...ackActions, ['other', 'Other']]);
/** A recorded action as words; null is an acknowledgment without one, free text from before the closed set reads as written. */
export const ackLabel = (action) => (action ? ackLabels[action] ?? action : 'Seen, no action given');

/** Later change first; `version` breaks ties between changes stamped in the same millisecond. */
const newer = (a, b) => (Date.parse(b.updatedAt ?? b.notifiedAt) - Date.parse(a.updatedAt ?? a.notifiedAt)) || (b.version - a.version);

/** Notifications (API views) to one card per invoice, in no particular order. */
export function groupByInvoice(notifications) {
  const byInvoice = new Map();
  for (const n of notifications) byInvoice.set(n.invoiceId, [...(byInvoice.get(n.invoiceId) ?? []), n]);
  return [...byInvoice.values()].map(toCard);
}

/** One invoice's card; its facts come from its newest notification, never from a stale one. */
export function toCard(notifications) {
  const all = [...notifications].sort(newer);
  const head = all[0];
  const open = all.filter((n) => !n.acknowledgedAt);
  // The latest recorded action (acknowledgment.at moves when the CSM changes it; acknowledgedAt stays the first).
  const ackAt = (n) => Date.parse(n.acknowledgment?.at ?? n.acknowledgedAt);
  const acknowledged = all.filter((n) => n.acknowledgedAt).sort((a, b) => ackAt(b) - ackAt(a))[0];
  const settled = settledStatuses.includes(head.status);
  const needsAction = open.length > 0 && (!settled || open.some((n) => actionKinds.includes(n.kind)));
  return {
    invoiceId: head.invoiceId, invoiceNumber: head.invoiceNumber ?? null, customerId: head.customerId, customerName: head.customerName ?? head.customerId,
    amountDisplay: head.amountDisplay, amount: head.amount, currency: head.currency,
    amountRemaining: head.amountRemaining, amountRemainingDisplay: head.amountRemainingDisplay ?? null,
    dueDay: head.dueDay, dueDate: head.dueDate, riskLevel: head.riskLevel, status: head.status, failureReason: head.failureReason,
    notifications: all, flags: head.flags ?? [], actions: head.actions ?? [], valuePrompts: head.valuePrompts ?? [],
    customerContext: head.customerContext, healthTrend: head.healthTrend, paymentHistory: head.paymentHistory, hostedInvoiceUrl: head.hostedInvoiceUrl ?? null,
    timeline: longestTimeline(all), issuedAt: head.issuedAt ?? all.find((n) => n.kind === 'invoice_issued')?.notifiedAt ?? null,
    // The section the card sits in: needs action, done (acknowledged) or settled (folded away).
    section: needsAction ? 'open' : settled ? 'settled' : 'done',
    recorded: acknowledged ? { action: acknowledged.acknowledgment?.actionTaken ?? acknowledged.actionTaken, note: acknowledged.acknowledgment?.note ?? null, at: acknowledged.acknowledgment?.at ?? acknowledged.acknowledgedAt } : null,
    dispute: disputeState(all),
    signature: all.map((n) => `${n.id}:${n.version}:${n.acknowledgedAt ?? ''}`).join('|'),
  };
}

/** Every notification of an invoice carries its timeline; the newest one has the most entries. */
function longestTimeline(all) {
  return all.reduce((best, n) => ((n.timeline?.length ?? 0) > best.length ? n.timeline : best), []);
}

function disputeState(all) {
  if (!all.some((n) => n.kind === 'disputed')) return null;
  const last = all[0].timeline?.findLast((e) => e.event === 'disputed' || e.event === 'dispute_won' || e.event === 'dispute_lost');
  return last?.event === 'dispute_lost' ? 'lost' : last?.event === 'dispute_won' ? 'won' : 'open';
}

const steps = {
  payment_failed: 'Payment failed', overdue: 'Overdue', paid: 'Paid', voided: 'Voided', uncollectible: 'Written off',
  disputed: 'Chargeback opened', dispute_won: 'Chargeback won', dispute_lost: 'Chargeback lost', refunded: 'Refunded',
};

/**
 * The short timeline: issued, then each change of payment state (issued → failed → overdue → paid);
 * repeated failures count on one step. Notes (due date moved, owner changed) stay in the full history.
 */
export function pathOf(card) {
  const path = [{ event: 'issued', label: 'Issued', at: card.issuedAt, count: 1 }];
  for (const e of card.timeline) {
    if (!steps[e.event]) continue;
    const last = path.at(-1);
    if (last.event === e.event) last.count += 1;
    else path.push({ event: e.event, label: steps[e.event], at: e.at, count: 1 });
  }
  return path;
}

/**
 * Next actions, at most `limit` shown and the rest behind "more": the assessment's actions, then
 * the value prompts that ask for something to do (the summary draft has its own block). What is due
 * now first, then by date, undated last; a date already past reads "now" (`when`).
 */
export function nextActions(card, now, limit = 3) {
  const today = isoDay(now);
  const dated = [
    ...card.actions.map((a) => ({ text: shorten(a.text, card), day: a.dueDay, past: a.dueBy ? Date.parse(a.dueBy) <= now : false })),
    ...card.valuePrompts.filter((p) => p.kind !== 'send_value_summary')
      .map((p) => ({ text: shorten(p.text, card), day: p.data?.checkInBy ?? null, past: p.data?.checkInBy ? p.data.checkInBy < today : false })),
  ];
  const all = dated
    .map((a, i) => ({ ...a, i, when: a.past ? 'now' : a.day }))
    .sort((a, b) => rank(a) - rank(b) || (rank(a) === 1 ? cmp(a.day, b.day) : 0) || a.i - b.i)
    .map(({ i: _i, past: _p, ...a }) => a);
  return { shown: all.slice(0, limit), more: all.slice(limit) };
}
// Due now (in the assessment's order: the outreach that answers every flag first), then by date, then undated.
const rank = (a) => (a.past ? 0 : a.day ? 1 : 2);
/** Code-point order: ISO dates and instants compare as strings (localeCompare would put "~" before digits). */
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The card names the invoice once: in its actions, "invoice INV-0042 (€12,500.00)" reads "this
 * invoice" (the draft, written for the customer, keeps it).
 */
export function shorten(text, card) {
  const label = card.invoiceNumber ?? card.invoiceId;
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`\\binvoice ${escaped}(?![\\w-])(?: \\([^)]*\\))?`, 'g'), 'this invoice');
}

/** The draft the CSM can paste to the customer, if the assessment wrote one. */
export const valueSummaryOf = (card) => card.valuePrompts.find((p) => p.kind === 'send_value_summary')?.text ?? null;

/** YYYY-MM-DD of an instant on the reader's calendar (the browser's zone). */
export function isoDay(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Whether a card passes the filters: risk level, payment status, account (customerId), and a
 * search over the customer's name and id and the invoice's number and id (case-insensitive).
 */
export function matches(card, filter) {
  if (filter.risk && card.riskLevel !== filter.risk) return false;
  if (filter.status && card.status !== filter.status) return false;
  if (filter.account && card.customerId !== filter.account) return false;
  const q = filter.search?.trim().toLowerCase();
  if (!q) return true;
  return [card.customerName, card.customerId, card.invoiceNumber, card.invoiceId].some((s) => s?.toLowerCase().includes(q));
}

/** Sort: risk (then due date) or due date (then risk); invoice id last so the order never flickers. */
export function compareCards(sort) {
  const due = (c) => c.dueDate ?? '\uffff';
  const risk = (a, b) => (riskOrder[b.riskLevel] ?? 0) - (riskOrder[a.riskLevel] ?? 0);
  return (a, b) => (sort === 'dueDate' ? cmp(due(a), due(b)) || risk(a, b) : risk(a, b) || cmp(due(a), due(b))) || cmp(a.invoiceId, b.invoiceId);
}
