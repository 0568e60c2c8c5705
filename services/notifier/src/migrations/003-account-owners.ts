import type { Knex, Migration } from '@invoice-signal/runtime';

/**
 * Who owns each account now (from cs.customer-context.v1), the notes telling CSMs what moved,
 * and the notification fields a reassignment sets. The notification columns are added "if not
 * exists": other changes of the same release add the timeline too.
 */
export const accountOwners: Migration = {
  name: '003-account-owners',
  async up(db: Knex) {
    await db.raw(`create table account_owners (
      account_id text primary key, account_name text, csm_id text not null, email text, slack_user_id text, time_zone text, team text,
      snapshot_at bigint not null, updated_at bigint not null)`);
    // A team manager's "which CSMs are in my team" and "which accounts does this CSM own".
    await db.raw('create index account_owners_csm on account_owners (csm_id, team)');
    await db.raw('alter table notifications add column if not exists previous_csm_id text');
    await db.raw("alter table notifications add column if not exists timeline jsonb not null default '[]'::jsonb");
    await db.raw(`create table ownership_notes (
      id text primary key, csm_id text not null, kind text not null, account_id text not null, account_name text,
      other_csm_id text not null, invoice_ids jsonb not null, snapshot_at bigint not null, created_at bigint not null)`);
    await db.raw('create index ownership_notes_csm on ownership_notes (csm_id, created_at)');
  },
};
