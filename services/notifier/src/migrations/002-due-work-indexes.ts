import type { Knex, Migration } from '@invoice-signal/runtime';

/**
 * Indexes that let the workers read only what is due, however much history the tables hold
 * (sent deliveries, published notifications, sent digests stay). Each is partial: it holds only
 * the rows a scan looks for, so it stays as small as the backlog.
 */
export const dueWorkIndexes: Migration = {
  name: '002-due-work-indexes',
  async up(db: Knex) {
    // The digest queue: which CSMs have items waiting (a skip scan, one probe per CSM) and each
    // CSM's items from before its period closed.
    await db.raw("create index deliveries_digest_queue on deliveries (csm_id, created_at) where channel = 'email_digest' and state = 'pending' and digest_id is null");
    // A digest's items, when it is sent and marked sent.
    await db.raw('create index deliveries_digest on deliveries (digest_id) where digest_id is not null');
    // The pending Slack deliveries of one CSM and account, sent as one message.
    await db.raw("create index deliveries_slack_batch on deliveries (csm_id, customer_id, id) where channel = 'slack' and state = 'pending'");
    // Claimed digests due for (another) attempt.
    await db.raw("create index digests_due on digests (next_attempt_at, id) where state = 'pending'");
  },
};
