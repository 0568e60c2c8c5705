import type { Knex } from '@invoice-signal/runtime';
import { renderDigest } from '../domain/digest.ts';
import { closedDigestPeriod, inQuietHours } from '../domain/time-zone.ts';
import { zoneOf } from '../adapters/csm-zone.ts';
import { log } from '../adapters/delivery-store.ts';
import { csmRef, csmRefs, fromRow } from '../adapters/notification-store.ts';
import type { Mailer } from '../adapters/mailer.ts';
import { preferencesOf } from '../adapters/preference-store.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { backoff, type RetryPolicy } from './slack-worker.ts';

/** The digest queue: pending e-mail deliveries not yet in a digest (the partial index deliveries_digest_queue holds only these). */
const queued = (db: Knex | Knex.Transaction) => db('deliveries').where({ channel: 'email_digest', state: 'pending' }).whereNull('digest_id');

/**
 * Every CSM with something queued for the digest, with their oldest item: a skip scan over
 * deliveries_digest_queue (csm_id, created_at), one index probe per CSM, however many items
 * are queued.
 */
export const digestQueueHeads = (db: Knex) =>
  db.raw(`with recursive heads as (
      (select csm_id, created_at from deliveries where channel = 'email_digest' and state = 'pending' and digest_id is null order by csm_id, created_at limit 1)
      union all
      select next.csm_id, next.created_at from heads, lateral (
        select csm_id, created_at from deliveries
        where channel = 'email_digest' and state = 'pending' and digest_id is null and csm_id > heads.csm_id
        order by csm_id, created_at limit 1) as next
    ) select csm_id, created_at as oldest from heads`);

/** A CSM's queued items from before the period closed, locked for the claim. */
export const claimableItems = (db: Knex | Knex.Transaction, csmId: string, closedAt: number) =>
  queued(db).where({ csm_id: csmId }).where('created_at', '<', closedAt).forUpdate().skipLocked();

interface DueDigest {
  csmId: string;
  period: ReturnType<typeof closedDigestPeriod>;
}

/** CSMs whose period closed (outside their quiet hours) with an item queued before it closed. */
async function dueDigests(deps: NotifierDeps, now: number): Promise<DueDigest[]> {
  const heads: Array<{ csm_id: string; oldest: number }> = (await digestQueueHeads(deps.db)).rows;
  if (heads.length === 0) return [];
  const ids = heads.map((h) => h.csm_id);
  const prefs = await preferencesOf(deps.db, ids, deps.defaults);
  const csms = await csmRefs(deps.db, ids);
  const due: DueDigest[] = [];
  for (const head of heads) {
    const p = prefs.get(head.csm_id)!;
    const zone = p.timeZone ?? csms.get(head.csm_id)?.timeZone ?? deps.defaultZone;
    if (inQuietHours(now, zone, p.quietHours)) continue;
    const period = closedDigestPeriod(now, zone, p.digest.frequency, p.digest.hour);
    if (Number(head.oldest) < period.closedAt) due.push({ csmId: head.csm_id, period });
  }
  return due;
}

/** Which of these periods have their digest already (items queued since wait for the next period). */
async function claimed(deps: NotifierDeps, due: DueDigest[]): Promise<Set<string>> {
  if (due.length === 0) return new Set();
  const rows = await deps.db.raw('select d.csm_id, d.period_key from digests d join unnest(?::text[], ?::text[]) as v(csm_id, period_key) using (csm_id, period_key)', [due.map((d) => d.csmId), due.map((d) => d.period.key)]);
  return new Set(rows.rows.map((r: { csm_id: string; period_key: string }) => `${r.csm_id}\u0000${r.period_key}`));
}

/**
 * Claims the digest of every CSM whose period has closed and who has something queued. The
 * unique (csm_id, period_key) row is the claim: whichever instance inserts it owns that period,
 * and a restart finds it there, so a period's digest is sent once. A digest is never empty.
 * A tick with nothing due reads the queue heads, preferences and directory rows: three statements.
 */
export async function claimDigests(deps: NotifierDeps): Promise<number> {
  const now = deps.now();
  const due = await dueDigests(deps, now);
  const done = await claimed(deps, due);
  let count = 0;
  for (const { csmId, period } of due) {
    if (done.has(`${csmId}\u0000${period.key}`)) continue;
    if (await claimOne(deps, csmId, period, now)) count++;
  }
  return count;
}

async function claimOne(deps: NotifierDeps, csmId: string, period: DueDigest['period'], now: number): Promise<boolean> {
  return deps.db.transaction(async (trx) => {
    const items: number[] = await claimableItems(trx, csmId, period.closedAt).pluck('id');
    if (items.length === 0) return false;
    const [digest] = await trx('digests').insert({ csm_id: csmId, period_key: period.key, state: 'pending', next_attempt_at: now, created_at: now })
      .onConflict(['csm_id', 'period_key']).ignore().returning('id');
    if (!digest) return false; // this period's digest exists already; these wait for the next one
    await trx('deliveries').whereIn('id', items).update({ digest_id: digest.id });
    await log(trx, { channel: 'email_digest', csmId, digestId: Number(digest.id), attempt: 0, outcome: 'claimed', detail: `${period.key}: ${items.length} notification(s)`, at: now });
    return true;
  });
}

/** The next claimed digest due for sending (digests_due index: pending digests by next attempt). */
export const dueDigest = (db: Knex | Knex.Transaction, now: number) =>
  db('digests').where({ state: 'pending' }).where('next_attempt_at', '<=', now)
    .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now)).orderBy('next_attempt_at').orderBy('id').limit(1).forUpdate().skipLocked();

/** The notifications of a digest (deliveries_digest index). */
export const digestItems = (db: Knex, digestId: number) =>
  db('notifications').join('deliveries', 'deliveries.notification_id', 'notifications.id').where('deliveries.digest_id', digestId).select('notifications.*');

/** Sends claimed digests that are due; a failure is retried with backoff, never dropped. */
export async function sendDigests(deps: NotifierDeps, mailer: Mailer, policy: RetryPolicy, limit = 20): Promise<number> {
  let sent = 0;
  for (let i = 0; i < limit; i++) {
    const now = deps.now();
    const digest = await deps.db.transaction(async (trx) => {
      const [row] = await dueDigest(trx, now);
      if (row) await trx('digests').where({ id: row.id }).update({ lease_until: now + 120_000, attempts: row.attempts + 1 });
      return row ? { ...row, attempts: row.attempts + 1 } : null;
    });
    if (!digest) break;
    if (await sendOne(deps, mailer, policy, digest)) sent++;
  }
  return sent;
}

async function sendOne(deps: NotifierDeps, mailer: Mailer, policy: RetryPolicy, digest: { id: number; csm_id: string; period_key: string; attempts: number }): Promise<boolean> {
  const { db } = deps;
  const id = Number(digest.id);
  const rows = await digestItems(db, id);
  const csm = await csmRef(db, digest.csm_id);
  const entry = (outcome: string, detail: string) => log(db, { channel: 'email_digest', csmId: digest.csm_id, digestId: id, attempt: digest.attempts, outcome, detail, at: deps.now() });
  if (!csm?.email) {
    await db('digests').where({ id }).update({ state: 'failed', lease_until: null, last_error: 'no e-mail address for this CSM' });
    await entry('failed', 'no e-mail address for this CSM');
    return false;
  }
  try {
    const mail = renderDigest(rows.map(fromRow), { periodLabel: digest.period_key, publicUrl: deps.publicUrl, timeZone: await zoneOf(deps, digest.csm_id) });
    const messageId = await mailer.send({ to: csm.email, ...mail, messageId: `<digest-${id}-${digest.period_key.replace(/[^a-zA-Z0-9-]/g, '')}@invoice-signal>`, date: new Date(deps.now()) });
    const now = deps.now();
    await db.transaction(async (trx) => {
      await trx('digests').where({ id }).update({ state: 'sent', sent_at: now, message_id: messageId, lease_until: null, last_error: null });
      await trx('deliveries').where({ digest_id: id }).update({ state: 'sent', sent_at: now, external_ref: messageId });
    });
    await entry('sent', `${rows.length} notification(s) to ${csm.email}`);
    return true;
  } catch (error) {
    const message = (error as Error).message;
    const wait = backoff({ ...policy }, Math.min(digest.attempts, policy.maxAttempts), null);
    await db('digests').where({ id }).update({ next_attempt_at: deps.now() + wait, lease_until: null, last_error: message.slice(0, 2000) });
    await entry('retry', `${message}; next attempt in ${wait} ms`);
    return false;
  }
}
