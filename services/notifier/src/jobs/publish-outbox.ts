import { topics } from '@invoice-signal/events';
import type { EventPublisher, Knex } from '@invoice-signal/runtime';
import { fromRow } from '../adapters/notification-store.ts';
import { toEvent } from '../domain/notification.ts';

/** Notification versions not yet published, oldest change first (the partial index notifications_unpublished holds only these). */
export const unpublished = (db: Knex | Knex.Transaction, limit: number) => db('notifications').whereRaw('published_version < version').orderBy('updated_at').limit(limit);

/**
 * Records what was published, in one statement. The rows are locked in id order first (the CTE),
 * the order the batch handler locks notifications in, so the two never deadlock; the update then
 * touches only rows it already holds.
 */
export const markPublished = (db: Knex | Knex.Transaction, published: Array<{ id: string; version: number }>) =>
  db.raw(
    `with locked as materialized (select id from notifications where id = any(?::text[]) order by id for update)
     update notifications n set published_version = greatest(n.published_version, v.version)
     from unnest(?::text[], ?::int[]) as v(id, version) join locked l on l.id = v.id
     where n.id = v.id`,
    [published.map((p) => p.id), published.map((p) => p.id), published.map((p) => p.version)],
  );

/**
 * Publishes notification versions not yet on csm.notifications.v1, in the transaction of a
 * singleton job (one instance at a time, under an advisory lock rather than row locks, so a slow
 * broker never blocks the handlers or the API). The database is the outbox: a change is committed
 * first and published after, so a broker outage delays events but loses none; consumers keep
 * the highest version per id. Returns how many it published (more may be waiting).
 */
export async function publishPending(trx: Knex.Transaction, publisher: EventPublisher, batch = 200): Promise<number> {
  const items = (await unpublished(trx, batch)).map(fromRow);
  if (items.length === 0) return 0;
  await publisher.publish(topics.notifications, items.map((n) => ({ key: n.csmId, value: toEvent(n), headers: { 'notification-version': String(n.version) } })));
  await markPublished(trx, items);
  return items.length;
}
