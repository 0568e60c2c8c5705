import { slackMessage } from '../domain/slack-message.ts';
import { inQuietHours, quietHoursEnd } from '../domain/time-zone.ts';
import { zoneOf } from '../adapters/csm-zone.ts';
import { addDelivery, holdUntil, leaseSlackBatch, log, markFailed, markRetry, markSent, type DeliveryRow } from '../adapters/delivery-store.ts';
import { csmRef, fromRow, rememberSlackUser } from '../adapters/notification-store.ts';
import { effectivePreferences } from '../adapters/preference-store.ts';
import { classifySlackError, type SlackSender } from '../adapters/slack.ts';
import type { NotifierDeps } from '../handlers/deps.ts';

export interface RetryPolicy {
  maxAttempts: number;
  /** First delay, doubled per attempt, capped at 15 minutes; Retry-After wins when longer. */
  backoffMs: number;
}

export const backoff = (policy: RetryPolicy, attempt: number, retryAfterMs: number | null) =>
  Math.max(Math.min(15 * 60_000, policy.backoffMs * 2 ** (attempt - 1)), retryAfterMs ?? 0);

/** Sends every due Slack delivery (batched per CSM and account); returns how many batches it handled. */
export async function runSlackDeliveries(deps: NotifierDeps, slack: SlackSender, policy: RetryPolicy, limit = 20): Promise<number> {
  let handled = 0;
  for (; handled < limit; handled++) {
    const batch = await leaseSlackBatch(deps.db, deps.now(), 60_000);
    if (batch.length === 0) break;
    await sendBatch(deps, slack, policy, batch);
  }
  return handled;
}

async function sendBatch(deps: NotifierDeps, slack: SlackSender, policy: RetryPolicy, batch: DeliveryRow[]): Promise<void> {
  const { db } = deps;
  const ids = batch.map((d) => d.id);
  const attempt = batch[0].attempts;
  const csmId = batch[0].csmId;
  const items = (await db('notifications').whereIn('id', batch.map((d) => d.notificationId)).orderBy('notified_at')).map(fromRow);
  const entry = (outcome: string, detail: string) => Promise.all(batch.map((d) => log(db, { channel: 'slack', csmId, deliveryId: d.id, attempt, outcome, detail, at: deps.now() })));
  try {
    // Quiet hours are checked again at send time: a message queued (or retried) before they began,
    // or before the CSM changed them, must not go out in the night.
    const prefs = await effectivePreferences(db, csmId, deps.defaults);
    const zone = await zoneOf(deps, csmId, prefs);
    const now = deps.now();
    if (inQuietHours(now, zone, prefs.quietHours)) {
      const until = quietHoursEnd(now, zone, prefs.quietHours);
      await holdUntil(db, ids, until);
      await entry('held', `quiet hours in ${zone}; held until ${new Date(until).toISOString()}`);
      return;
    }
    const csm = await csmRef(db, csmId);
    const user = csm ? await slack.resolveUser(csm) : null;
    if (!user) return await giveUp(deps, batch, `no Slack user for ${csmId} (no slackUserId, email lookup found none)`);
    if (csm && !csm.slackUserId) await rememberSlackUser(db, csmId, user);
    const ts = await slack.post(user, slackMessage(items, deps.publicUrl, zone));
    await markSent(db, ids, deps.now(), ts);
    await entry('sent', `ts ${ts}; ${items.length} notification(s)`);
  } catch (error) {
    const failure = classifySlackError(error);
    if (failure.retriable && attempt < policy.maxAttempts) {
      const wait = backoff(policy, attempt, failure.retryAfterMs);
      await markRetry(db, ids, deps.now() + wait, failure.message);
      await entry('retry', `${failure.message}; next attempt in ${wait} ms`);
    } else {
      await giveUp(deps, batch, `${failure.message} (attempt ${attempt}${failure.retriable ? `, limit ${policy.maxAttempts}` : ', not retriable'})`);
    }
  }
}

/** Slack could not take it: the notifications go into the digest instead, so nothing is lost. */
async function giveUp(deps: NotifierDeps, batch: DeliveryRow[], reason: string): Promise<void> {
  await markFailed(deps.db, batch.map((d) => d.id), reason);
  const now = deps.now();
  for (const d of batch) {
    await log(deps.db, { channel: 'slack', csmId: d.csmId, deliveryId: d.id, attempt: d.attempts, outcome: 'failed', detail: `${reason}; moved to the email digest`, at: now });
    if (deps.emailAvailable) await addDelivery(deps.db, { notificationId: d.notificationId, csmId: d.csmId, customerId: d.customerId, channel: 'email_digest', notBefore: now, now, reason: 'slack failed' });
  }
}
