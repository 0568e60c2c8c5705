import { lockKeys, names, unnestRows, type Column, type Knex } from '@invoice-signal/runtime';
import type { AccountOwner, Move, OwnershipNote } from '../domain/ownership.ts';
import { csmOf, type Db } from './notification-store.ts';

/*
 * The account → owner table (newest snapshot per account) and what a change of owner writes:
 * set-based, a fixed number of statements per batch whatever its size.
 */

/**
 * Account locks sort before invoice locks ("notifier:account:" < "notifier:invoice:"): a batch
 * takes its accounts first, then its invoices, in one statement or two, and never deadlocks
 * with another.
 */
export const accountLockKeys = (accountIds: Iterable<string>) => [...accountIds].map((id) => `notifier:account:${id}`);
export const lockAccounts = (trx: Knex.Transaction, accountIds: string[]) => lockKeys(trx, accountLockKeys(accountIds));

const ownerColumns: Column<AccountOwner>[] = [
  ['account_id', 'text', (o) => o.accountId], ['account_name', 'text', (o) => o.accountName], ['csm_id', 'text', (o) => o.csm.id],
  ['email', 'text', (o) => o.csm.email], ['slack_user_id', 'text', (o) => o.csm.slackUserId], ['time_zone', 'text', (o) => o.csm.timeZone],
  ['team', 'text', (o) => o.team], ['snapshot_at', 'bigint', (o) => o.snapshotAt],
];

/** Stores the snapshots newer than the held ones (an older or equal one changes nothing) and returns the accounts that took one. */
export async function saveOwners(trx: Knex.Transaction, owners: AccountOwner[], now: number): Promise<Set<string>> {
  if (owners.length === 0) return new Set();
  const v = unnestRows(owners, ownerColumns);
  const set = ownerColumns.slice(1).map(([name]) => `${name} = excluded.${name}`).join(', ');
  const { rows } = await trx.raw<{ rows: Array<{ account_id: string }> }>(
    `insert into account_owners (${names(ownerColumns)}, updated_at) select ${names(ownerColumns, 'v.')}, ?::bigint from ${v.sql}
     on conflict (account_id) do update set ${set}, updated_at = excluded.updated_at
     where account_owners.snapshot_at < excluded.snapshot_at
     returning account_id`,
    [now, ...v.bindings],
  );
  return new Set(rows.map((r) => r.account_id));
}

// biome-ignore lint/suspicious/noExplicitAny: rows are plain objects from pg
const ownerOf = (r: Record<string, any>): AccountOwner => ({
  accountId: r.account_id, accountName: r.account_name, team: r.team, snapshotAt: Number(r.snapshot_at),
  csm: csmOf(r),
});

/** The current owners of the accounts (those the notifier has a snapshot of). */
export async function ownersOf(db: Db, accountIds: string[]): Promise<Map<string, AccountOwner>> {
  if (accountIds.length === 0) return new Map();
  const rows = await db('account_owners').whereRaw('account_id = any(?::text[])', [accountIds]);
  return new Map(rows.map((r) => [r.account_id as string, ownerOf(r)]));
}

/** Every invoice of the accounts that has a notification (settled ones too: a status may reopen them while the owner changes). */
export async function invoicesOfAccounts(trx: Knex.Transaction, accountIds: string[]): Promise<string[]> {
  return trx('notifications').distinct('invoice_id').whereRaw('customer_id = any(?::text[])', [accountIds]).orderBy('invoice_id').pluck('invoice_id');
}

/** Hands notifications to their new owner: previous owner kept, a `reassigned` timeline entry, one version more (queued for publishing by the caller). */
export async function applyMoves(trx: Knex.Transaction, moves: Move[], now: number): Promise<void> {
  if (moves.length === 0) return;
  await trx.raw(
    `update notifications n set csm_id = v.csm_id, previous_csm_id = v.previous_csm_id, channels = v.channels::jsonb,
       timeline = n.timeline || jsonb_build_array(jsonb_build_object('at', ?::bigint, 'event', 'reassigned', 'note', v.note)),
       version = n.version + 1, updated_at = ?::bigint
     from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) as v(id, csm_id, previous_csm_id, channels, note)
     where n.id = v.id`,
    [now, now, moves.map((m) => m.notificationId), moves.map((m) => m.csmId), moves.map((m) => m.previousCsmId), moves.map((m) => JSON.stringify(m.channels)), moves.map((m) => m.note)],
  );
}

const noteColumns: Column<OwnershipNote>[] = [
  ['id', 'text', (n) => n.id], ['csm_id', 'text', (n) => n.csmId], ['kind', 'text', (n) => n.kind], ['account_id', 'text', (n) => n.accountId],
  ['account_name', 'text', (n) => n.accountName], ['other_csm_id', 'text', (n) => n.otherCsmId], ['invoice_ids', 'jsonb', (n) => JSON.stringify(n.invoiceIds)],
  ['snapshot_at', 'bigint', (n) => n.snapshotAt],
];

export async function insertNotes(trx: Knex.Transaction, notes: OwnershipNote[], now: number): Promise<void> {
  if (notes.length === 0) return;
  const v = unnestRows(notes, noteColumns);
  await trx.raw(`insert into ownership_notes (${names(noteColumns)}, created_at) select ${names(noteColumns, 'v.')}, ?::bigint from ${v.sql} on conflict (id) do nothing`, [now, ...v.bindings]);
}

export interface StoredNote extends OwnershipNote {
  createdAt: number;
}

// biome-ignore lint/suspicious/noExplicitAny: rows are plain objects from pg
const noteOf = (r: Record<string, any>): StoredNote => ({
  id: r.id, csmId: r.csm_id, kind: r.kind, accountId: r.account_id, accountName: r.account_name, otherCsmId: r.other_csm_id,
  invoiceIds: r.invoice_ids, snapshotAt: Number(r.snapshot_at), createdAt: Number(r.created_at),
});

/** A CSM's ownership notes, newest first. */
export async function notesOf(db: Db, csmId: string, limit: number): Promise<StoredNote[]> {
  return (await db('ownership_notes').where({ csm_id: csmId }).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]).limit(limit)).map(noteOf);
}

export async function noteById(db: Db, id: string): Promise<StoredNote | null> {
  const row = await db('ownership_notes').where({ id }).first();
  return row ? noteOf(row) : null;
}

/** The teams a CSM owns accounts in (what a team manager's scope is checked against). */
export async function teamsOf(db: Db, csmId: string): Promise<string[]> {
  return db('account_owners').distinct('team').where({ csm_id: csmId }).whereNotNull('team').pluck('team');
}
