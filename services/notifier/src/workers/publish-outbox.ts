import { topics } from '@invoice-signal/events';
import type { EventPublisher } from '@invoice-signal/runtime';
import { fromRow } from '../adapters/notification-store.ts';
import { toEvent } from '../domain/notification.ts';
import type { NotifierDeps } from '../handlers/deps.ts';

/**
 * Publishes every notification version not yet on csm.notifications.v1. The database is the
 * outbox: a change is committed first and published after, so a broker outage delays events but
 * loses none. One instance publishes at a time (an advisory lock, not row locks, so a slow broker
 * never blocks the handlers or the API); consumers keep the highest version per id.
 */
export async function publishPending(deps: NotifierDeps, publisher: EventPublisher, batch = 200): Promise<number> {
  return deps.db.transaction(async (trx) => {
    const { rows: [lock] } = await trx.raw("select pg_try_advisory_xact_lock(hashtextextended('notifier.publish-outbox', 0)) as mine");
    if (!lock.mine) return 0;
    const rows = await trx('notifications').whereRaw('published_version < version').orderBy('updated_at').limit(batch);
    if (rows.length === 0) return 0;
    const items = rows.map(fromRow);
    await publisher.publish(topics.notifications, items.map((n) => ({ key: n.csmId, value: toEvent(n), headers: { 'notification-version': String(n.version) } })));
    for (const n of items) await trx('notifications').where({ id: n.id }).update({ published_version: trx.raw('greatest(published_version, ?)', [n.version]) });
    return items.length;
  });
}
