import type { CsmRef, InvoiceNotification } from '../domain/notification.ts';
import { route, type Routing } from '../domain/routing.ts';
import { addDelivery, log, slackCountSince } from '../adapters/delivery-store.ts';
import { setChannels, type Db } from '../adapters/notification-store.ts';
import { effectivePreferences } from '../adapters/preference-store.ts';
import type { NotifierDeps } from './deps.ts';
import { notifierMetrics } from '../metrics.ts';

/**
 * Decides the channels of a new (or newly reassigned) notification with the CSM's preferences
 * and queues its Slack and digest deliveries in the same transaction as the record. The caller
 * holds the CSM's directory row lock, so the hourly Slack cap counts consistently.
 */
export async function planDeliveries(trx: Db, deps: NotifierDeps, n: InvoiceNotification, csm: CsmRef, now: number): Promise<Routing> {
  const prefs = await effectivePreferences(trx, csm.id, deps.defaults);
  const routing = route({
    kind: n.kind, amountMinor: n.amountMinor, currency: n.currency, riskLevel: n.riskLevel, prefs,
    zone: prefs.timeZone ?? csm.timeZone ?? deps.defaultZone, now,
    slackAvailable: deps.slackAvailable, emailAvailable: deps.emailAvailable,
    slackInLastHour: await slackCountSince(trx, csm.id, now - 3600_000),
  });
  for (const channel of routing.channels) {
    if (channel === 'in_app') continue;
    const notBefore = channel === 'slack' ? routing.slackNotBefore ?? now : now;
    const reason = channel === 'email_digest' ? routing.reasons.find((r) => r.includes('overflow')) : routing.reasons.find((r) => r.startsWith(channel));
    await addDelivery(trx, { notificationId: n.id, csmId: csm.id, customerId: n.customerId, channel, notBefore, now, reason });
  }
  if (routing.reasons.length) await log(trx, { channel: 'routing', csmId: csm.id, attempt: 0, outcome: 'filtered', detail: `${n.id}: ${routing.reasons.join('; ')}`, at: now });
  await setChannels(trx, n.id, routing.channels);
  notifierMetrics.notifications.inc({ kind: n.kind });
  n.channels = routing.channels;
  return routing;
}
