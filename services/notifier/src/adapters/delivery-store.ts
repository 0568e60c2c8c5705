import { lockKeys, type Knex } from '@invoice-signal/runtime';
import type { Channel } from '../domain/preferences.ts';
import { notifierMetrics } from '../metrics.ts';
import type { Db } from './notification-store.ts';

export interface DeliveryRow {
  id: number;
  notificationId: string;
  csmId: string;
  customerId: string;
  channel: Channel;
  attempts: number;
}

export async function addDelivery(db: Db, d: { notificationId: string; csmId: string; customerId: string; channel: Channel; notBefore: number; now: number; reason?: string }): Promise<void> {
  await db('deliveries')
    .insert({ notification_id: d.notificationId, csm_id: d.csmId, customer_id: d.customerId, channel: d.channel, state: 'pending', not_before: d.notBefore, created_at: d.now, reason: d.reason ?? null })
    .onConflict(['notification_id', 'channel', 'csm_id'])
    .ignore();
}

/** Slack messages sent or waiting per CSM since a time, grouped (deliveries_csm index: csm_id, channel, created_at). */
export const slackCountQuery = (db: Db, csmIds: string[], since: number) =>
  db('deliveries').select('csm_id').count({ count: '*' })
    .whereRaw('csm_id = any(?::text[])', [csmIds]).where({ channel: 'slack' }).whereIn('state', ['pending', 'sent']).where('created_at', '>=', since)
    .groupBy('csm_id');

/** Slack messages sent or waiting per CSM in the last hour: what the hourly cap counts. */
export async function slackCountsSince(db: Db, csmIds: string[], since: number): Promise<Map<string, number>> {
  const rows = (await slackCountQuery(db, csmIds, since)) as Array<{ csm_id: string; count: string | number }>;
  return new Map(rows.map((r) => [r.csm_id, Number(r.count)]));
}

export async function log(db: Db, e: { channel: string; csmId: string; deliveryId?: number | null; digestId?: number | null; attempt: number; outcome: string; detail?: string | null; at: number }): Promise<void> {
  if (e.channel !== 'routing') notifierMetrics.deliveries.inc({ channel: e.channel, outcome: e.outcome });
  await db('delivery_log').insert({ channel: e.channel, csm_id: e.csmId, delivery_id: e.deliveryId ?? null, digest_id: e.digestId ?? null, attempt: e.attempt, outcome: e.outcome, detail: e.detail?.slice(0, 2000) ?? null, at: e.at });
}

/** Live Slack rows: pending and not leased, or leased by an instance that died. */
const unleased = (now: number) => (q: Knex.QueryBuilder) => q.whereNull('lease_until').orWhere('lease_until', '<', now);

/** The next due Slack delivery (deliveries_due index: pending Slack rows by not_before). */
export const dueSlackHead = (db: Db, now: number) =>
  db('deliveries').where({ channel: 'slack', state: 'pending' }).where('not_before', '<=', now).where(unleased(now)).orderBy('not_before').limit(1);

/** The pending Slack deliveries of one CSM and account, sent as one message (deliveries_slack_batch index). */
export const pendingSlackOf = (db: Db, csmId: string, customerId: string, now: number) =>
  db('deliveries').where({ channel: 'slack', state: 'pending', csm_id: csmId, customer_id: customerId }).where(unleased(now)).orderBy('id').limit(50).forUpdate();

/**
 * Leases one due Slack delivery and every other pending Slack delivery of the same CSM and
 * account (batching: they go out as one message). Leasing a (CSM, account) group happens under
 * its advisory lock, so two instances never split one group into two messages: the second finds
 * the rows leased and moves on. The lease lets another instance take over if this one dies mid-send.
 */
export async function leaseSlackBatch(db: Knex, now: number, leaseMs: number): Promise<DeliveryRow[]> {
  for (let tries = 0; tries < 5; tries++) {
    const leased = await db.transaction(async (trx) => {
      const [head] = await dueSlackHead(trx, now);
      if (!head) return null;
      await lockKeys(trx, [`notifier:slack:${head.csm_id}:${head.customer_id}`]);
      const rows = await pendingSlackOf(trx, head.csm_id, head.customer_id, now);
      if (rows.length === 0) return [];
      await trx('deliveries').whereIn('id', rows.map((r) => r.id)).update({ lease_until: now + leaseMs, attempts: trx.raw('attempts + 1') });
      return rows.map((r): DeliveryRow => ({ id: Number(r.id), notificationId: r.notification_id, csmId: r.csm_id, customerId: r.customer_id, channel: r.channel, attempts: r.attempts + 1 }));
    });
    if (leased === null) return [];
    if (leased.length) return leased;
  }
  return [];
}

export async function markSent(db: Db, ids: number[], now: number, externalRef: string | null): Promise<void> {
  await db('deliveries').whereIn('id', ids).update({ state: 'sent', sent_at: now, external_ref: externalRef, lease_until: null, last_error: null });
}

/** Puts leased deliveries back until `notBefore` without counting the lease as an attempt (nothing was sent). */
export async function holdUntil(db: Db, ids: number[], notBefore: number): Promise<void> {
  await db('deliveries').whereIn('id', ids).update({ not_before: notBefore, lease_until: null, attempts: db.raw('greatest(attempts - 1, 0)') });
}

export async function markRetry(db: Db, ids: number[], nextAt: number, error: string): Promise<void> {
  await db('deliveries').whereIn('id', ids).update({ not_before: nextAt, lease_until: null, last_error: error.slice(0, 2000) });
}

export async function markFailed(db: Db, ids: number[], error: string): Promise<void> {
  await db('deliveries').whereIn('id', ids).update({ state: 'failed', lease_until: null, last_error: error.slice(0, 2000) });
}
