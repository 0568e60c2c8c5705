import { renderDigest } from '../domain/digest.ts';
import { closedDigestPeriod, inQuietHours } from '../domain/time-zone.ts';
import { log } from '../adapters/delivery-store.ts';
import { csmRef, fromRow } from '../adapters/notification-store.ts';
import type { Mailer } from '../adapters/mailer.ts';
import { effectivePreferences } from '../adapters/preference-store.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { backoff, type RetryPolicy } from './slack-worker.ts';

/**
 * Claims the digest of every CSM whose period has closed and who has something queued. The
 * unique (csm_id, period_key) row is the claim: whichever instance inserts it owns that period,
 * and a restart finds it there, so a period's digest is sent once. A digest is never empty.
 */
export async function claimDigests(deps: NotifierDeps): Promise<number> {
  const now = deps.now();
  const csms: string[] = await deps.db('deliveries').distinct('csm_id').where({ channel: 'email_digest', state: 'pending' }).whereNull('digest_id').pluck('csm_id');
  let claimed = 0;
  for (const csmId of csms) {
    const prefs = await effectivePreferences(deps.db, csmId, deps.defaults);
    const csm = await csmRef(deps.db, csmId);
    const zone = prefs.timeZone ?? csm?.timeZone ?? deps.defaultZone;
    if (inQuietHours(now, zone, prefs.quietHours)) continue;
    const period = closedDigestPeriod(now, zone, prefs.digest.frequency, prefs.digest.hour);
    const ok = await deps.db.transaction(async (trx) => {
      const items: number[] = await trx('deliveries').where({ csm_id: csmId, channel: 'email_digest', state: 'pending' }).whereNull('digest_id')
        .where('created_at', '<', period.closedAt).forUpdate().skipLocked().pluck('id');
      if (items.length === 0) return false;
      const [digest] = await trx('digests').insert({ csm_id: csmId, period_key: period.key, state: 'pending', next_attempt_at: now, created_at: now })
        .onConflict(['csm_id', 'period_key']).ignore().returning('id');
      if (!digest) return false; // this period's digest exists already; these wait for the next one
      await trx('deliveries').whereIn('id', items).update({ digest_id: digest.id });
      await log(trx, { channel: 'email_digest', csmId, digestId: Number(digest.id), attempt: 0, outcome: 'claimed', detail: `${period.key}: ${items.length} notification(s)`, at: now });
      return true;
    });
    if (ok) claimed++;
  }
  return claimed;
}

/** Sends claimed digests that are due; a failure is retried with backoff, never dropped. */
export async function sendDigests(deps: NotifierDeps, mailer: Mailer, policy: RetryPolicy, limit = 20): Promise<number> {
  let sent = 0;
  for (let i = 0; i < limit; i++) {
    const now = deps.now();
    const digest = await deps.db.transaction(async (trx) => {
      const row = await trx('digests').where({ state: 'pending' }).where('next_attempt_at', '<=', now)
        .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now)).orderBy('id').forUpdate().skipLocked().first();
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
  const rows = await db('notifications').join('deliveries', 'deliveries.notification_id', 'notifications.id').where('deliveries.digest_id', id).select('notifications.*');
  const csm = await csmRef(db, digest.csm_id);
  const entry = (outcome: string, detail: string) => log(db, { channel: 'email_digest', csmId: digest.csm_id, digestId: id, attempt: digest.attempts, outcome, detail, at: deps.now() });
  if (!csm?.email) {
    await db('digests').where({ id }).update({ state: 'failed', lease_until: null, last_error: 'no e-mail address for this CSM' });
    await entry('failed', 'no e-mail address for this CSM');
    return false;
  }
  try {
    const mail = renderDigest(rows.map(fromRow), { periodLabel: digest.period_key, publicUrl: deps.publicUrl });
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
