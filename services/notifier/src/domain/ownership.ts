import { createHash } from 'node:crypto';
import type { PaymentState } from '@invoice-signal/events';
import type { BatchInput, Cancellation, PlannedDelivery, RoutingEnv } from './batch.ts';
import type { CsmRef, InvoiceNotification, LiveEvent } from './notification.ts';
import type { Channel, Preferences } from './preferences.ts';
import { route } from './routing.ts';

/** An account's owner as a customer-context snapshot names it. */
export interface AccountOwner {
  accountId: string;
  accountName: string | null;
  csm: CsmRef;
  team: string | null;
  snapshotAt: number;
}

/**
 * An invoice still to be dealt with. Paid, voided and uncollectible invoices are settled: their
 * notifications stay with the CSM who held them (history), and the account's new owner sees
 * them through the account.
 */
export const openStatuses: ReadonlySet<PaymentState> = new Set<PaymentState>(['pending', 'failed', 'overdue']);

/** One snapshot per account, the newest (`snapshotAt`); of equal ones the first (a redelivery). */
export function newestPerAccount(owners: AccountOwner[]): AccountOwner[] {
  const newest = new Map<string, AccountOwner>();
  for (const o of owners) {
    const held = newest.get(o.accountId);
    if (!held || o.snapshotAt > held.snapshotAt) newest.set(o.accountId, o);
  }
  return [...newest.values()].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
}

/**
 * Assessments whose owner comes from an older snapshot than the one the notifier holds for the
 * account go to the current owner instead; an assessment with a newer snapshot keeps its own.
 */
export function withCurrentOwners(inputs: BatchInput[], owners: Map<string, AccountOwner>): BatchInput[] {
  return inputs.map((input) => {
    if (input.type !== 'assessment') return input;
    const owner = owners.get(input.facts.customerId);
    if (!owner || owner.snapshotAt <= (input.ownerSince ?? -Infinity) || owner.csm.id === input.facts.csm.id) return input;
    return { ...input, facts: { ...input.facts, csm: owner.csm } };
  });
}

/** A notification handed to the account's current owner. */
export interface Move {
  notificationId: string;
  csmId: string;
  previousCsmId: string;
  /** Where it goes now (the new owner's routing); unchanged for an acknowledged one. */
  channels: Channel[];
  note: string;
}

/** Tells a CSM what a change of owner did: `moved_away` to each previous holder, `inherited` to the new owner. */
export interface OwnershipNote {
  id: string;
  csmId: string;
  kind: 'moved_away' | 'inherited';
  accountId: string;
  accountName: string | null;
  otherCsmId: string;
  invoiceIds: string[];
  snapshotAt: number;
}

export interface RoutingState {
  prefs: Map<string, Preferences>;
  slackInLastHour: Map<string, number>;
}

export interface OwnershipPlan {
  moves: Move[];
  notes: OwnershipNote[];
  deliveries: PlannedDelivery[];
  cancellations: Cancellation[];
  routingLog: Array<{ csmId: string; detail: string }>;
  events: LiveEvent[];
}

export interface Stray {
  owner: AccountOwner;
  n: InvoiceNotification;
}

/** Which of the notifications (of the owners' accounts) are open and held by someone else than the account's owner. */
export function strays(owners: AccountOwner[], notifications: InvoiceNotification[], isOpen = (n: InvoiceNotification) => openStatuses.has(n.status)): Stray[] {
  const byAccount = new Map(owners.map((o) => [o.accountId, o]));
  return notifications
    .filter((n) => isOpen(n) && byAccount.has(n.customerId) && byAccount.get(n.customerId)!.csm.id !== n.csmId)
    .map((n) => ({ owner: byAccount.get(n.customerId)!, n }));
}

/**
 * Hands stray notifications to their account's owner: each one moves (previous owner kept),
 * what the old holder still had queued is withdrawn, and each side gets one note per account.
 * With `routeToOwner`, the unacknowledged ones are routed once through the new owner's channels
 * (preferences, quiet hours, Slack cap). Pure: the caller writes the plan.
 */
export function planOwnership(strayed: Stray[], state: RoutingState, env: RoutingEnv, routeToOwner: boolean): OwnershipPlan {
  const plan: OwnershipPlan = { moves: [], notes: [], deliveries: [], cancellations: [], routingLog: [], events: [] };
  const slackCount = new Map(state.slackInLastHour);
  const moved = [...strayed].sort((a, b) => a.n.notifiedAt - b.n.notifiedAt || (a.n.id < b.n.id ? -1 : 1));
  for (const { owner, n } of moved) {
    const channels = routeToOwner && n.acknowledgedAt === null ? routeTo(n, owner.csm, state, slackCount, env, plan) : n.channels;
    plan.moves.push({ notificationId: n.id, csmId: owner.csm.id, previousCsmId: n.csmId, channels, note: `from ${n.csmId} to ${owner.csm.id}` });
    plan.cancellations.push({ notificationId: n.id, csmId: n.csmId, reason: `reassigned to ${owner.csm.id}`, keep: [] });
    plan.events.push({ type: 'removed', csmId: n.csmId, notificationId: n.id }, { type: 'created', csmId: owner.csm.id, notificationId: n.id });
  }
  for (const note of notesFor(moved)) {
    plan.notes.push(note);
    plan.events.push({ type: 'note', csmId: note.csmId, notificationId: note.id });
  }
  return plan;
}

function routeTo(n: InvoiceNotification, csm: CsmRef, state: RoutingState, slackCount: Map<string, number>, env: RoutingEnv, plan: OwnershipPlan): Channel[] {
  const prefs = state.prefs.get(csm.id) ?? env.defaults;
  const routing = route({
    kind: n.kind, amountMinor: n.amountMinor, currency: n.currency, riskLevel: n.riskLevel, highValue: n.riskFlags.includes('HIGH_VALUE'), prefs, zone: prefs.timeZone ?? csm.timeZone ?? env.defaultZone,
    now: env.now, slackAvailable: env.slackAvailable, emailAvailable: env.emailAvailable, slackInLastHour: slackCount.get(csm.id) ?? 0,
  });
  for (const channel of routing.channels) {
    if (channel === 'in_app') continue;
    const reason = channel === 'email_digest' ? routing.reasons.find((r) => r.includes('overflow')) : routing.reasons.find((r) => r.startsWith(channel));
    plan.deliveries.push({ notificationId: n.id, csmId: csm.id, customerId: n.customerId, channel, notBefore: channel === 'slack' ? routing.slackNotBefore ?? env.now : env.now, reason: reason ?? null });
    if (channel === 'slack') slackCount.set(csm.id, (slackCount.get(csm.id) ?? 0) + 1);
  }
  if (routing.reasons.length) plan.routingLog.push({ csmId: csm.id, detail: `${n.id}: ${routing.reasons.join('; ')}` });
  return routing.channels;
}

/** One note per account for the new owner (what they inherited, from whom) and one per previous holder (what left them). */
function notesFor(moved: Stray[]): OwnershipNote[] {
  const groups = new Map<string, { owner: AccountOwner; from: string; invoiceIds: Set<string> }>();
  for (const { owner, n } of moved) {
    const k = `${owner.accountId}\u0000${n.csmId}`;
    const g = groups.get(k) ?? { owner, from: n.csmId, invoiceIds: new Set<string>() };
    g.invoiceIds.add(n.invoiceId);
    groups.set(k, g);
  }
  const notes: OwnershipNote[] = [];
  for (const { owner, from, invoiceIds } of groups.values()) {
    const base = { accountId: owner.accountId, accountName: owner.accountName, invoiceIds: [...invoiceIds].sort(), snapshotAt: owner.snapshotAt };
    notes.push({ ...base, id: noteId(base, from, owner.csm.id, 'moved_away'), csmId: from, kind: 'moved_away', otherCsmId: owner.csm.id });
    notes.push({ ...base, id: noteId(base, from, owner.csm.id, 'inherited'), csmId: owner.csm.id, kind: 'inherited', otherCsmId: from });
  }
  return notes;
}

/** Deterministic: the same move replayed lands on the same note; a later move under the same snapshot (a reopened invoice) gets its own. */
const noteId = (base: { accountId: string; snapshotAt: number; invoiceIds: string[] }, from: string, to: string, kind: OwnershipNote['kind']) =>
  `note_${createHash('sha256').update([base.accountId, base.snapshotAt, from, to, kind, ...base.invoiceIds].join('\u0000')).digest('hex').slice(0, 24)}`;

/** The sentence a note shows in the inbox. */
export function noteText(note: Pick<OwnershipNote, 'kind' | 'accountId' | 'accountName' | 'otherCsmId' | 'invoiceIds'>): string {
  const who = note.accountName ?? note.accountId;
  const count = `${note.invoiceIds.length} open invoice${note.invoiceIds.length === 1 ? '' : 's'}`;
  return note.kind === 'inherited'
    ? `${who} is now your account: ${count} moved to you from ${note.otherCsmId}.`
    : `${who} moved to ${note.otherCsmId}: your ${count} went with it.`;
}

/** Owners whose contact details the directory does not hold yet (or holds differently), in id order. */
export function directoryChanges(owners: AccountOwner[], stored: Map<string, CsmRef>): CsmRef[] {
  const latest = new Map(owners.map((o) => [o.csm.id, o.csm]));
  const same = (a: CsmRef, b: CsmRef) => a.email === b.email && a.slackUserId === b.slackUserId && a.timeZone === b.timeZone;
  return [...latest.values()].filter((c) => !stored.has(c.id) || !same(stored.get(c.id)!, c)).sort((a, b) => (a.id < b.id ? -1 : 1));
}
