import { createHash } from 'node:crypto';
import type { PaymentState } from '@invoice-signal/events';
import type { BatchInput, StatusFact } from './batch.ts';
import { alertsFor } from './lifecycle.ts';
import type { CsmRef, InvoiceNotification } from './notification.ts';

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

interface Stray {
  owner: AccountOwner;
  n: InvoiceNotification;
}

/** Which of the notifications (of the owners' accounts) are open and held by someone else than the account's owner. */
export function strays(owners: AccountOwner[], notifications: InvoiceNotification[]): Stray[] {
  const byAccount = new Map(owners.map((o) => [o.accountId, o]));
  return notifications
    .filter((n) => openStatuses.has(n.status) && byAccount.has(n.customerId) && byAccount.get(n.customerId)!.csm.id !== n.csmId)
    .map((n) => ({ owner: byAccount.get(n.customerId)!, n }));
}

/** The accounts of a batch's assessments: locked with their invoices, their current owners read. */
export const assessedAccounts = (inputs: BatchInput[]) => [...new Set(inputs.flatMap((i) => (i.type === 'assessment' ? [i.facts.customerId] : [])))];

/**
 * Accounts whose current owner a batch needs: those assessed (the owner may be newer than the
 * assessment's), and those of invoices a newer status reopens (an alert goes to the owner).
 */
export function accountsToOwn(inputs: BatchInput[], notifications: InvoiceNotification[], stored: Map<string, Pick<StatusFact, 'version'>>): string[] {
  const reopens = (s: StatusFact) => alertsFor(s).length > 0 && (stored.get(s.invoiceId)?.version ?? -1) < s.version;
  const reopening = new Set(inputs.flatMap((i) => (i.type === 'status' && reopens(i.status) ? [i.status.invoiceId] : [])));
  return [...new Set([...assessedAccounts(inputs), ...notifications.filter((n) => reopening.has(n.invoiceId)).map((n) => n.customerId)])];
}

/** A notification handed to its account's owner, from the CSM who held it. */
export interface Handover {
  owner: AccountOwner;
  from: string;
  invoiceId: string;
}

/** One note per account for the new owner (what they inherited, from whom) and one per previous holder (what left them). */
export function notesFor(handovers: Handover[]): OwnershipNote[] {
  const groups = new Map<string, { owner: AccountOwner; from: string; invoiceIds: Set<string> }>();
  for (const { owner, from, invoiceId } of handovers) {
    const k = `${owner.accountId}\u0000${from}`;
    const g = groups.get(k) ?? { owner, from, invoiceIds: new Set<string>() };
    g.invoiceIds.add(invoiceId);
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
