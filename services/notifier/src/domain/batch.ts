import type { PaymentState } from '@invoice-signal/events';
import { alertsFor, baselineOf, followStatus, settled, actionKinds, timelineEntries, type StatusFact } from './lifecycle.ts';
import {
  factFields, newNotification, type CsmRef, type InvoiceFacts, type InvoiceNotification, type LiveEvent, type NotificationKind,
} from './notification.ts';
import type { Channel, Preferences } from './preferences.ts';
import { route } from './routing.ts';
import { notesFor, strays, type AccountOwner, type Handover, type OwnershipNote } from './ownership.ts';

export type { StatusFact };

/** One record of a batch, decoded and checked; applied in offset order. */
export type BatchInput =
  | { type: 'assessment'; facts: InvoiceFacts; receivedAt: number; /** snapshotAt of the context that named the owner (null: none). */ ownerSince?: number | null }
  | { type: 'status'; status: StatusFact };

/** What the database held for the batch's invoices and CSMs, read under the batch's locks. */
export interface BatchState {
  /** Every notification of the batch's invoices. */
  notifications: InvoiceNotification[];
  statuses: Map<string, StatusFact>;
  /** Directory rows of the CSMs the batch may route to (after this batch's own changes). */
  csms: Map<string, CsmRef>;
  /** Effective preferences of those CSMs; a CSM missing here has no overrides. */
  prefs: Map<string, Preferences>;
  /** Slack messages sent or waiting per CSM in the last hour: what the hourly cap counts. */
  slackInLastHour: Map<string, number>;
  /** Current owners of the accounts the batch may hand notifications over in (a reopened invoice's, a change of owner's). */
  owners: Map<string, AccountOwner>;
}

export interface RoutingEnv {
  now: number;
  defaults: Preferences;
  defaultZone: string;
  slackAvailable: boolean;
  emailAvailable: boolean;
}

export type PushChannel = Exclude<Channel, 'in_app'>;

export interface PlannedDelivery {
  notificationId: string;
  csmId: string;
  customerId: string;
  channel: PushChannel;
  notBefore: number;
  reason: string | null;
  /** The notification is announced again (a dispute lost): a delivery already sent or withdrawn goes out once more. */
  again?: boolean;
}

/** Pending deliveries of a notification to a CSM it moved away from; `keep` are channels routed to that CSM again later in the batch. */
export interface Cancellation {
  notificationId: string;
  csmId: string;
  reason: string;
  keep: PushChannel[];
}

/** Everything a batch writes, in memory first, so it is written with one statement per kind. */
export interface BatchPlan {
  /** The newest status per invoice, when newer than the stored one. */
  statuses: StatusFact[];
  inserts: InvoiceNotification[];
  /**
   * Existing notifications whose facts (owner, channels, status, amounts, timeline...) changed; `bump` is added to the
   * version; `reopen`: it needs the CSM again (a dispute lost), so its acknowledgement is cleared.
   */
  factUpdates: Array<{ notification: InvoiceNotification; bump: number; reopen: boolean }>;
  deliveries: PlannedDelivery[];
  cancellations: Cancellation[];
  /** Why a routing skipped or changed channels (the delivery log). */
  routingLog: Array<{ csmId: string; detail: string }>;
  /** What a hand-over to an account's owner tells each side. */
  notes: OwnershipNote[];
  events: LiveEvent[];
  /** Kinds of the notifications routed (new, or moved to a new owner), for the metrics. */
  routed: NotificationKind[];
  /** receivedAt of each assessment that created its invoice's notifications (end-to-end latency). */
  createdFrom: number[];
}

const invoiceOf = (input: BatchInput) => (input.type === 'assessment' ? input.facts.invoiceId : input.status.invoiceId);

/** The batch's invoices, once each. */
export function invoicesOf(inputs: BatchInput[]): string[] {
  return [...new Set(inputs.map(invoiceOf))];
}

/**
 * CSMs the batch may route a notification to: every assessment's owner, and the current owner
 * of an invoice that receives an alerting status. Only these need the directory lock (the Slack
 * cap), their preferences and their Slack count; a batch of `paid` statuses needs none.
 */
export function csmsToRoute(inputs: BatchInput[], existing: InvoiceNotification[], accountOwners: Map<string, AccountOwner>): string[] {
  // An alert of an invoice that goes back to its account's owner is that owner's.
  const owners = new Map(existing.map((n) => [n.invoiceId, accountOwners.get(n.customerId)?.csm.id ?? n.csmId]));
  const out = new Set<string>();
  for (const input of inputs) {
    if (input.type === 'assessment') out.add(input.facts.csm.id);
    else if (alertsFor(input.status).length && owners.has(input.status.invoiceId)) out.add(owners.get(input.status.invoiceId)!);
  }
  return [...out].sort();
}

const sameCsm = (a: CsmRef, b: CsmRef) => a.email === b.email && a.slackUserId === b.slackUserId && a.timeZone === b.timeZone;

/** Directory rows to write: each CSM's details as the batch last names them (in offset order), only where new or changed. */
export function csmChanges(named: CsmRef[], stored: Map<string, CsmRef>): CsmRef[] {
  const latest = new Map(named.map((c) => [c.id, c]));
  return [...latest.values()].filter((c) => !stored.has(c.id) || !sameCsm(stored.get(c.id)!, c)).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Applies the batch's records in offset order to what was stored, exactly as one record at a time would. */
export function planBatch(inputs: BatchInput[], state: BatchState, env: RoutingEnv): BatchPlan {
  const planner = new BatchPlanner(state, env);
  for (const input of inputs) {
    if (input.type === 'assessment') planner.assessment(input.facts, input.receivedAt);
    else planner.status(input.status);
  }
  return planner.plan();
}

/**
 * A change of owner (cs.customer-context.v1): the open notifications of the owners' accounts held
 * by someone else go to the owner, the unacknowledged ones routed through the owner's channels.
 */
export function planHandover(state: BatchState, env: RoutingEnv): BatchPlan {
  const planner = new BatchPlanner(state, env);
  planner.handOverOpen();
  return planner.plan();
}

interface Tracked {
  n: InvoiceNotification;
  /** Created by this batch: inserted with its final state, version 1. */
  isNew: boolean;
  changed: boolean;
  reopened: boolean;
  bump: number;
}

const key = (...parts: string[]) => parts.join('\u0000');

class BatchPlanner {
  private readonly invoices = new Map<string, Tracked[]>();
  private readonly statuses: Map<string, StatusFact>;
  private readonly newStatuses = new Map<string, StatusFact>();
  private readonly csms: Map<string, CsmRef>;
  private readonly slackCount: Map<string, number>;
  private readonly deliveries = new Map<string, PlannedDelivery>();
  private readonly cancellations = new Map<string, Cancellation>();
  private readonly out: Pick<BatchPlan, 'routingLog' | 'events' | 'routed' | 'createdFrom'> = { routingLog: [], events: [], routed: [], createdFrom: [] };
  private readonly handovers: Handover[] = [];
  private readonly state: BatchState;
  private readonly env: RoutingEnv;

  constructor(state: BatchState, env: RoutingEnv) {
    this.state = state;
    this.env = env;
    this.statuses = new Map(state.statuses);
    this.csms = new Map(state.csms);
    this.slackCount = new Map(state.slackInLastHour);
    // Oldest first: the first notification's owner is the invoice's owner.
    for (const n of [...state.notifications].sort((a, b) => a.notifiedAt - b.notifiedAt)) {
      this.tracked(n.invoiceId).push({ n: { ...n, channels: [...n.channels] }, isNew: false, changed: false, reopened: false, bump: 0 });
    }
  }

  private tracked(invoiceId: string): Tracked[] {
    let list = this.invoices.get(invoiceId);
    if (!list) {
      list = [];
      this.invoices.set(invoiceId, list);
    }
    return list;
  }

  /** billing.invoice.assessed.v1: create once; a later revision updates (and reassigns); a replay changes nothing. */
  assessment(facts: InvoiceFacts, receivedAt: number): void {
    this.csms.set(facts.csm.id, facts.csm);
    const list = this.tracked(facts.invoiceId);
    const issued = list.find((t) => t.n.kind === 'invoice_issued');
    if (!issued) {
      this.create(facts, list, receivedAt);
      return;
    }
    if (facts.revision > issued.n.revision) this.revise(facts, list);
  }

  /**
   * The invoice's notifications, with what its stored status already says. An invoice settled
   * before it was notified (paid, voided, written off) is stored and listed, not announced: its
   * invoice_issued goes to no channel. Alerts the status calls for are routed as usual.
   */
  private create(facts: InvoiceFacts, list: Tracked[], receivedAt: number): void {
    const stored = this.statuses.get(facts.invoiceId);
    const kinds: NotificationKind[] = ['invoice_issued', ...(stored ? alertsFor(stored) : []).filter((k) => !list.some((t) => t.n.kind === k))];
    for (const kind of kinds) {
      const t = this.fresh(facts, facts.csm.id, kind, stored?.status ?? 'pending');
      if (stored) followStatus(t.n, stored, []);
      list.push(t);
      if (kind === 'invoice_issued' && stored && settled(stored.status)) {
        this.out.routingLog.push({ csmId: facts.csm.id, detail: `${t.n.id}: already ${stored.status} before it was notified; stored, not announced` });
        continue;
      }
      this.routeTo(t, facts.csm);
      this.event('created', t.n.csmId, t.n.id);
    }
    this.out.createdFrom.push(receivedAt);
  }

  private revise(facts: InvoiceFacts, list: Tracked[]): void {
    const previous = list[0].n.csmId;
    // A revision re-enriches the invoice as it was issued: what the payment status says since (due date, amounts) stays.
    const status = this.statuses.get(facts.invoiceId);
    for (const t of list) {
      Object.assign(t.n, factFields(facts, facts.csm.id), { updatedAt: this.env.now });
      if (status) followStatus(t.n, status, []);
      this.touch(t);
    }
    if (previous === facts.csm.id) {
      for (const t of list) this.event('updated', t.n.csmId, t.n.id);
      return;
    }
    // Reassigned, e.g. the account was matched late.
    this.reassign(list, previous, facts.csm, true);
  }

  /**
   * The old holder stops hearing about the notifications, the new one hears once (when `route`),
   * unless they were already dealt with; each says who held it.
   */
  private reassign(list: Tracked[], previous: string, csm: CsmRef, route: boolean): void {
    this.cancel(list, previous, `reassigned to ${csm.id}`);
    for (const t of list) {
      Object.assign(t.n, { csmId: csm.id, previousCsmId: previous, updatedAt: this.env.now });
      t.n.timeline = [...t.n.timeline, { at: this.env.now, event: 'reassigned', note: `from ${previous} to ${csm.id}` }];
      this.event('removed', previous, t.n.id);
      if (route && t.n.acknowledgedAt === null) this.routeTo(t, csm);
      this.event('created', csm.id, t.n.id);
    }
  }

  /** Hands notifications to their account's owner: one version more each, and a note to each side (written with the plan). */
  private handOver(list: Tracked[], owner: AccountOwner, route: boolean): void {
    for (const previous of new Set(list.map((t) => t.n.csmId))) {
      const held = list.filter((t) => t.n.csmId === previous);
      for (const t of held) {
        this.touch(t);
        this.handovers.push({ owner, from: previous, invoiceId: t.n.invoiceId });
      }
      this.reassign(held, previous, owner.csm, route);
    }
  }

  /** The open notifications held by someone else than their account's owner, oldest first, each routed to the owner in turn (the Slack cap). */
  handOverOpen(): void {
    const tracked = [...this.invoices.values()].flat();
    const byNotification = new Map(tracked.map((t) => [t.n, t]));
    const strayed = strays([...this.state.owners.values()], tracked.map((t) => t.n))
      .sort((a, b) => a.n.notifiedAt - b.n.notifiedAt || (a.n.id < b.n.id ? -1 : 1));
    for (const { owner, n } of strayed) this.handOver([byNotification.get(n)!], owner, true);
  }

  /**
   * A settled invoice stays with whoever held it when its account changed owner. When a status
   * reopens it (an alert), it goes to the account's current owner first, so the alert is theirs;
   * nothing is pushed for the old notifications, the alert is.
   */
  private reclaim(list: Tracked[]): void {
    const owner = this.state.owners.get(list[0].n.customerId);
    if (owner) this.handOver(list.filter((t) => t.n.csmId !== owner.csm.id), owner, false);
  }

  /**
   * billing.invoice.payment-status.v1: newest version wins. Every notification of a known invoice
   * follows it (status, due date, amounts, last failure) with a timeline entry per change; an
   * invoice settled before its notifications went out withdraws them; each alert it calls for is
   * created once; a lost dispute puts an acknowledged dispute alert back in front of the CSM.
   */
  status(s: StatusFact): void {
    const stored = this.statuses.get(s.invoiceId);
    if (stored && stored.version >= s.version) return; // stale or replayed
    this.statuses.set(s.invoiceId, s);
    this.newStatuses.set(s.invoiceId, s);
    const list = this.tracked(s.invoiceId);
    const issued = list.find((t) => t.n.kind === 'invoice_issued');
    if (!issued) return; // kept; applied when the assessment arrives
    const entries = timelineEntries(stored ?? baselineOf(issued.n), s);
    for (const t of list) {
      if (!followStatus(t.n, s, entries)) continue;
      t.n.updatedAt = this.env.now;
      this.touch(t);
      this.event('updated', t.n.csmId, t.n.id);
    }
    if (alertsFor(s).length) this.reclaim(list);
    if (settled(s.status) && !(stored && settled(stored.status))) this.withdraw(list, s.status);
    if (s.disputeStatus === 'lost' && stored?.disputeStatus !== 'lost') this.disputeLost(list.find((t) => t.n.kind === 'disputed'));
    for (const kind of alertsFor(s)) {
      if (list.some((t) => t.n.kind === kind)) continue;
      const t = this.fresh(issued.n, issued.n.csmId, kind, s.status);
      followStatus(t.n, s, []);
      t.n.timeline = [...issued.n.timeline];
      list.push(t);
      this.routeTo(t, this.csms.get(issued.n.csmId) ?? { id: issued.n.csmId, email: null, slackUserId: null, timeZone: null });
      this.event('created', t.n.csmId, t.n.id);
    }
  }

  /** Settled before it went out: what was still waiting for Slack or the digest is not sent (the CSM-action alerts stay). */
  private withdraw(list: Tracked[], status: string): void {
    const stale = list.filter((t) => !actionKinds.includes(t.n.kind));
    for (const t of stale.filter((x) => x.isNew)) t.n.channels = t.n.channels.filter((c) => c === 'in_app');
    for (const csmId of new Set(stale.map((t) => t.n.csmId))) this.cancel(stale.filter((t) => t.n.csmId === csmId), csmId, `${status} before it went out`);
  }

  /**
   * The chargeback stands: the dispute alert is announced again (Slack or digest, as routed now)
   * and, if the CSM had acknowledged it, put back in the pending list. A dispute first seen lost
   * is a new alert instead (created by the caller).
   */
  private disputeLost(t: Tracked | undefined): void {
    if (!t || t.isNew) return;
    if (t.n.acknowledgedAt !== null) {
      Object.assign(t.n, { acknowledgedAt: null, updatedAt: this.env.now });
      t.reopened = true;
      this.event('created', t.n.csmId, t.n.id);
    }
    // Part of the same status change as its dispute_lost entry: one version, not two.
    if (!t.changed) this.touch(t);
    this.routeTo(t, this.csms.get(t.n.csmId) ?? { id: t.n.csmId, email: null, slackUserId: null, timeZone: null }, true);
  }

  private fresh(facts: Omit<InvoiceFacts, 'csm'>, csmId: string, kind: NotificationKind, status: PaymentState): Tracked {
    return { n: newNotification(facts, csmId, kind, status, this.env.now), isNew: true, changed: false, reopened: false, bump: 0 };
  }

  /** A stored notification changed: one version more per change, as when each record was its own transaction. */
  private touch(t: Tracked): void {
    if (t.isNew) return;
    t.changed = true;
    t.bump += 1;
  }

  private event(type: LiveEvent['type'], csmId: string, notificationId: string): void {
    this.out.events.push({ type, csmId, notificationId });
  }

  /** Decides the channels with the CSM's preferences and queues its Slack and digest deliveries; the cap counts the batch too. */
  private routeTo({ n }: Tracked, csm: CsmRef, again = false): void {
    const prefs = this.state.prefs.get(csm.id) ?? this.env.defaults;
    const now = this.env.now;
    const routing = route({
      kind: n.kind, amountMinor: n.amountMinor, currency: n.currency, riskLevel: n.riskLevel, highValue: n.riskFlags.includes('HIGH_VALUE'), prefs,
      zone: prefs.timeZone ?? csm.timeZone ?? this.env.defaultZone, now,
      slackAvailable: this.env.slackAvailable, emailAvailable: this.env.emailAvailable, slackInLastHour: this.slackCount.get(csm.id) ?? 0,
    });
    for (const channel of routing.channels) {
      if (channel === 'in_app') continue;
      const reason = channel === 'email_digest' ? routing.reasons.find((r) => r.includes('overflow')) : routing.reasons.find((r) => r.startsWith(channel));
      this.deliver({ notificationId: n.id, csmId: csm.id, customerId: n.customerId, channel, notBefore: channel === 'slack' ? routing.slackNotBefore ?? now : now, reason: reason ?? null, ...(again ? { again } : {}) });
    }
    if (routing.reasons.length) this.out.routingLog.push({ csmId: csm.id, detail: `${n.id}: ${routing.reasons.join('; ')}` });
    // A stored notification is routed only when reassigned, which marked its facts: the channels are written with them.
    n.channels = routing.channels;
    this.out.routed.push(n.kind);
  }

  /** One delivery per notification, channel and CSM: a second one is ignored, as the unique key did. */
  private deliver(d: PlannedDelivery): void {
    const k = key(d.notificationId, d.channel, d.csmId);
    this.cancellations.get(key(d.notificationId, d.csmId))?.keep.push(d.channel);
    if (this.deliveries.has(k)) return;
    this.deliveries.set(k, d);
    if (d.channel === 'slack') this.slackCount.set(d.csmId, (this.slackCount.get(d.csmId) ?? 0) + 1);
  }

  /** Withdraws what the notifications were going to push to a CSM: planned here (never written) and stored (cancelled). */
  private cancel(list: Tracked[], csmId: string, reason: string): void {
    for (const t of list) {
      for (const channel of ['slack', 'email_digest'] as const) {
        const k = key(t.n.id, channel, csmId);
        if (!this.deliveries.delete(k)) continue;
        if (channel === 'slack') this.slackCount.set(csmId, (this.slackCount.get(csmId) ?? 1) - 1);
      }
      if (!t.isNew) this.cancellations.set(key(t.n.id, csmId), { notificationId: t.n.id, csmId, reason, keep: [] });
    }
  }

  plan(): BatchPlan {
    const all = [...this.invoices.values()].flat();
    const notes = notesFor(this.handovers);
    for (const note of notes) this.event('note', note.csmId, note.id);
    return {
      statuses: [...this.newStatuses.values()],
      inserts: all.filter((t) => t.isNew).map((t) => t.n),
      factUpdates: all.filter((t) => !t.isNew && t.changed).map((t) => ({ notification: t.n, bump: t.bump, reopen: t.reopened })),
      deliveries: [...this.deliveries.values()],
      cancellations: [...this.cancellations.values()],
      notes,
      ...this.out,
    };
  }
}
