import { isContact } from './acknowledgment.ts';
import { settled } from './lifecycle.ts';

/*
 * The PRD's three success metrics, computed from what the notifier holds: its notifications,
 * their acknowledgment history and the payment statuses it keeps for every invoice (notified or
 * not). Pure: the adapter reads, this counts. Days and weeks are UTC (weeks start on Monday).
 */

export const targets = { deliveryMaxMs: 3_600_000, outreachRate: 0.3, onTimeLiftPoints: 5 } as const;

/** One recorded acknowledgment: its action, who recorded it and who held the notification then. */
export interface RecordedAction {
  actionTaken: string | null;
  by: string;
  holder: string;
  at: number;
}

export type OpenStatus = 'pending' | 'failed' | 'overdue';
export type InvoiceState = OpenStatus | 'paid' | 'voided' | 'uncollectible';

/** A notified invoice as the metrics read it. */
export interface NotifiedInvoice {
  invoiceId: string;
  accountId: string;
  customerName: string | null;
  /** Who holds its notifications now: the invoice counts for this CSM and their team. */
  csmId: string;
  team: string | null;
  source: string | null;
  issuedAt: number | null;
  receivedAt: number | null;
  notifiedAt: number;
  dueAt: number | null;
  status: InvoiceState;
  /** When it was paid (paid only). */
  paidAt: number | null;
  /** When it was paid, voided or written off (null while open). */
  settledAt: number | null;
  /** When it first went overdue, as the payment tracker reported it. */
  overdueSince: number | null;
  amountMinor: number;
  currency: string;
  riskLevel: string;
  riskRank: number;
  /** The current acknowledgment's action (null: none, or acknowledged without one). */
  currentAction: string | null;
  actions: RecordedAction[];
}

/** An invoice of the same accounts from before go-live (backfilled history): the baseline. */
export interface HistoryInvoice {
  invoiceId: string;
  accountId: string;
  dueAt: number | null;
  status: InvoiceState;
  paidAt: number | null;
}


/**
 * The end of the outreach window: when the invoice settled (paid, voided, written off) or went
 * overdue, whichever came first; null while neither happened (the window is still open).
 */
export function outreachDeadline(i: Pick<NotifiedInvoice, 'status' | 'settledAt' | 'overdueSince'>): number | null {
  const ends = [settled(i.status) ? i.settledAt : null, i.overdueSince].filter((t): t is number => t !== null);
  return ends.length ? Math.min(...ends) : null;
}

/**
 * contacted: the CSM holding the invoice recorded a contact action before the window closed;
 * missed: the window closed without one; open: still open, no contact yet (not counted); none:
 * it settled or went overdue before it was notified, so there was no window (not counted).
 */
export function outreachOutcome(i: Pick<NotifiedInvoice, 'status' | 'settledAt' | 'overdueSince' | 'actions' | 'notifiedAt'>): 'contacted' | 'missed' | 'open' | 'none' {
  const deadline = outreachDeadline(i);
  const contacted = i.actions.some((a) => isContact(a.actionTaken) && a.by === a.holder && (deadline === null || a.at < deadline));
  if (contacted) return 'contacted';
  if (deadline === null) return 'open';
  return deadline <= i.notifiedAt ? 'none' : 'missed';
}

/**
 * on_time: paid by its due date (dueAt is already the end of that day in the billing entity's
 * zone); late: due and not paid by then (paid later, still unpaid, written off); null: not counted
 * (no due date, not due yet, or voided: never owed).
 */
export function paymentOutcome(i: Pick<HistoryInvoice, 'dueAt' | 'status' | 'paidAt'>, now: number): 'on_time' | 'late' | null {
  if (i.dueAt === null || i.dueAt > now || i.status === 'voided') return null;
  return i.status === 'paid' && i.paidAt !== null && i.paidAt <= i.dueAt ? 'on_time' : 'late';
}

export interface LatencyStats {
  n: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** Over the PRD's one hour. */
  overOneHour: number;
}

/** Nearest-rank percentiles: the smallest value with at least p of the sample at or below it. */
export function latencyStats(values: number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => (sorted.length ? sorted[Math.ceil(p * sorted.length) - 1] : null);
  return { n: sorted.length, p50Ms: rank(0.5), p95Ms: rank(0.95), maxMs: sorted.length ? sorted[sorted.length - 1] : null, overOneHour: sorted.filter((v) => v > targets.deliveryMaxMs).length };
}

export interface OutreachRate {
  /** contacted / eligible; null with no eligible invoice. */
  rate: number | null;
  contacted: number;
  /** Invoices whose outreach is decided (contacted or missed): the sample size. */
  eligible: number;
  /** Still open without contact: not counted yet. */
  open: number;
}

export interface OnTimeRate {
  /** onTime / due; null with nothing due. */
  rate: number | null;
  onTime: number;
  /** Due invoices: the sample size. */
  due: number;
}

function outreachRate(invoices: NotifiedInvoice[]): OutreachRate {
  const outcomes = invoices.map(outreachOutcome);
  const contacted = outcomes.filter((o) => o === 'contacted').length;
  const eligible = contacted + outcomes.filter((o) => o === 'missed').length;
  return { rate: eligible ? contacted / eligible : null, contacted, eligible, open: outcomes.filter((o) => o === 'open').length };
}

function onTimeRate(invoices: Array<Pick<HistoryInvoice, 'dueAt' | 'status' | 'paidAt'>>, now: number): OnTimeRate {
  const outcomes = invoices.map((i) => paymentOutcome(i, now)).filter((o) => o !== null);
  const onTime = outcomes.filter((o) => o === 'on_time').length;
  return { rate: outcomes.length ? onTime / outcomes.length : null, onTime, due: outcomes.length };
}

/** The difference in percentage points, one decimal; null when either side has no sample. */
export function pointsBetween(a: OnTimeRate, b: OnTimeRate): number | null {
  return a.rate === null || b.rate === null ? null : Math.round((a.rate - b.rate) * 1000) / 10;
}

export type Granularity = 'day' | 'week';

/** The UTC day (YYYY-MM-DD), or the Monday starting the UTC week, a time falls in. */
export function periodOf(at: number, granularity: Granularity): string {
  const d = new Date(at);
  if (granularity === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface OutcomeWindow {
  from: number;
  to: number;
  now: number;
}

const inWindow = (at: number | null, w: OutcomeWindow) => at !== null && at >= w.from && at < w.to;

function deliveryOf(invoices: NotifiedInvoice[]) {
  const since = (start: number | null, i: NotifiedInvoice) => (start === null ? [] : [Math.max(0, i.notifiedAt - start)]);
  return { issuedToNotified: latencyStats(invoices.flatMap((i) => since(i.issuedAt, i))), receivedToNotified: latencyStats(invoices.flatMap((i) => since(i.receivedAt, i))) };
}

function deliverySeries(invoices: NotifiedInvoice[], granularity: Granularity) {
  return [...groupBy(invoices, (i) => `${periodOf(i.notifiedAt, granularity)}\u0000${i.source ?? 'unknown'}`).entries()]
    .map(([key, group]) => ({ period: key.split('\u0000')[0], source: key.split('\u0000')[1], ...deliveryOf(group) }));
}

function onTimeGroups(due: NotifiedInvoice[], now: number) {
  const contacted = due.filter((i) => outreachOutcome(i) === 'contacted');
  const rest = due.filter((i) => outreachOutcome(i) !== 'contacted');
  return { withOutreach: onTimeRate(contacted, now), withoutOutreach: onTimeRate(rest, now), notified: onTimeRate(due, now) };
}

/**
 * The metrics over a window. Delivery and outreach count the invoices notified in it; on-time
 * payment counts those due in it (and due by `now`), split by outreach; the baseline is every
 * due invoice of `history`, whenever it was due.
 */
export function computeOutcomes(notified: NotifiedInvoice[], history: HistoryInvoice[], w: OutcomeWindow) {
  const sent = notified.filter((i) => inWindow(i.notifiedAt, w));
  const due = notified.filter((i) => inWindow(i.dueAt, w));
  const groups = onTimeGroups(due, w.now);
  const baseline = onTimeRate(history, w.now);
  const series = (g: Granularity) => ({
    outreach: [...groupBy(sent, (i) => periodOf(i.notifiedAt, g)).entries()].map(([period, group]) => ({ period, ...outreachRate(group) })),
    onTime: [...groupBy(due, (i) => periodOf(i.dueAt!, g)).entries()].map(([period, group]) => ({ period, ...onTimeGroups(group, w.now) })),
    delivery: deliverySeries(sent, g),
  });
  return {
    targets,
    delivery: { bySource: [...groupBy(sent, (i) => i.source ?? 'unknown').entries()].map(([source, group]) => ({ source, ...deliveryOf(group) })) },
    outreach: {
      overall: outreachRate(sent),
      perTeam: [...groupBy(sent, (i) => i.team ?? '').entries()].map(([team, group]) => ({ team: team || null, ...outreachRate(group) })),
    },
    onTime: {
      ...groups, baseline,
      liftPoints: {
        notifiedVsBaseline: pointsBetween(groups.notified, baseline),
        withOutreachVsBaseline: pointsBetween(groups.withOutreach, baseline),
        withOutreachVsWithout: pointsBetween(groups.withOutreach, groups.withoutOutreach),
      },
    },
    perCsm: perCsm(sent, due, w.now),
    daily: series('day'),
    weekly: series('week'),
    needsOutreach: needsOutreach(notified),
  };
}

function perCsm(sent: NotifiedInvoice[], due: NotifiedInvoice[], now: number) {
  const csms = [...new Set([...sent, ...due].map((i) => i.csmId))].sort();
  return csms.map((csmId) => {
    const mine = sent.filter((i) => i.csmId === csmId);
    const { withOutreach, withoutOutreach } = onTimeGroups(due.filter((i) => i.csmId === csmId), now);
    return { csmId, team: [...sent, ...due].find((i) => i.csmId === csmId)!.team, notified: mine.length, outreach: outreachRate(mine), onTime: { withOutreach, withoutOutreach } };
  });
}

const urgency: Record<OpenStatus, number> = { overdue: 0, failed: 1, pending: 2 };

/**
 * Open invoices nobody has reached out about yet (no contact recorded by the CSM holding them),
 * most urgent first: overdue, then failed payments, then by due date, then by risk.
 */
export function needsOutreach(notified: NotifiedInvoice[], limit = 20): NotifiedInvoice[] {
  return notified
    .filter((i) => !settled(i.status) && !i.actions.some((a) => isContact(a.actionTaken) && a.by === a.holder))
    .sort((a, b) => urgency[a.status as OpenStatus] - urgency[b.status as OpenStatus] || (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || b.riskRank - a.riskRank || (a.invoiceId < b.invoiceId ? -1 : 1))
    .slice(0, limit);
}
