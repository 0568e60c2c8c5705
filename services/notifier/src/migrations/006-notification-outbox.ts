import { createOutboxTable, type Knex, type Migration } from '@invoice-signal/runtime';
import { queueUnpublished } from '../adapters/notification-store.ts';

/**
 * Expand step of the move to the runtime's outbox: notification_outbox is created and the current
 * version of every notification not yet published is queued in it (the record the old relay would
 * have sent). `published_version` and its index stay while pods of the previous release may still
 * run: they bump `version` without an outbox row, and the outbox sweep job queues what they wrote.
 * The table is locked first, so no old pod's write slips between the read and the queueing.
 */
export const notificationOutbox: Migration = {
  name: '006-notification-outbox',
  async up(db: Knex) {
    await createOutboxTable(db, 'notification_outbox');
    // knex runs each migration in a transaction: the lock holds until 006 commits.
    await db.transaction(async (trx) => {
      await trx.raw('lock table notifications in share row exclusive mode');
      await queueUnpublished(trx, null);
    });
  },
};
