import { createOutboxTable, type Knex, type Migration } from '@invoice-signal/runtime';
import { queueVersions } from '../adapters/notification-store.ts';

/**
 * The runtime's outbox replaces `published_version`: the current version of every notification
 * not yet published is queued in notification_outbox (the record the old relay would have sent,
 * so this uses the service's own mapping), then the column and its index go.
 */
export const notificationOutbox: Migration = {
  name: '006-notification-outbox',
  async up(db: Knex) {
    await createOutboxTable(db, 'notification_outbox');
    const waiting: string[] = await db('notifications').whereRaw('published_version < version').pluck('id');
    for (let i = 0; i < waiting.length; i += 1000) await db.transaction((trx) => queueVersions(trx, waiting.slice(i, i + 1000)));
    await db.raw('drop index notifications_unpublished');
    await db.schema.alterTable('notifications', (t) => t.dropColumn('published_version'));
  },
};
