import { topics } from '@invoice-signal/events';
import type { EventPublisher } from '@invoice-signal/runtime';
import { fromRow } from '../adapters/notification-store.ts';
import { toEvent } from '../domain/notification.ts';
import type { NotifierDeps } from '../handlers/deps.ts';

/**
 * Publishes every notification version not yet on csm.notifications.v1. The database is the
 * outbox: a change is committed first and published after, so a broker outage delays events
 * but loses none. Rows are locked while publishing so two instances do not both send them.
 */
export async function publishPending(deps: NotifierDeps, publisher: EventPublisher, batch = 200): Promise<number> {
  return deps.db.transaction(async (trx) => {
    const rows = await trx('notifications').whereRaw('published_version < version').orderBy('updated_at').limit(batch).forUpdate().skipLocked();
    if (rows.length === 0) return 0;
    const items = rows.map(fromRow);
    await publisher.publish(topics.notifications, items.map((n) => ({ key: n.csmId, value: toEvent(n), headers: { 'notification-version': String(n.version) } })));
    for (const n of items) await trx('notifications').where({ id: n.id }).update({ published_version: n.version });
    return items.length;
  });
}
