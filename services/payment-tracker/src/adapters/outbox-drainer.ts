import { setTimeout as sleep } from 'node:timers/promises';
import { topics, type PaymentStatus } from '@invoice-signal/events';
import type { EventPublisher, Knex, Logger } from '@invoice-signal/runtime';

export interface OutboxDrainerOptions {
  db: Knex;
  publisher: EventPublisher;
  logger: Logger;
  /** Longest wait between drains when nothing calls wake(), ms. */
  pollMs: number;
  /** Records per producer request. */
  batchSize: number;
  /** Called with the number of records published by each drain. */
  onPublished?: (count: number) => void;
}

export interface OutboxDrainer {
  /** Drains soon: called after a transaction that added outbox rows commits. */
  wake(): void;
  /** One drain: records published, 0 when empty, -1 when another instance is draining. */
  drainOnce(): Promise<number>;
  stop(): Promise<void>;
}

interface OutboxRow {
  id: number;
  invoice_id: string;
  version: number;
  payload: PaymentStatus | null;
}

// One drainer at a time across instances keeps the topic in outbox (= commit) order per invoice.
const DRAIN_LOCK = 'payment-tracker:outbox';

/**
 * Publishes committed status changes from the outbox table in id order, then deletes them, in one
 * database transaction: a crash after the broker ack but before the delete republishes the same
 * version (at least once; readers keep the highest version), never loses one.
 */
export function startOutboxDrainer(opts: OutboxDrainerOptions): OutboxDrainer {
  const log = opts.logger.child({ component: 'outbox' });
  let running = true;
  let pending = false;
  let wakeUp: (() => void) | undefined;

  async function drainOnce(): Promise<number> {
    return opts.db.transaction(async (trx) => {
      const { rows } = await trx.raw('select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked', [DRAIN_LOCK]);
      if (rows[0].locked !== true) return -1;
      const batch: OutboxRow[] = await trx('status_outbox').select('id', 'invoice_id', 'version', 'payload').orderBy('id').limit(opts.batchSize);
      if (batch.length === 0) return 0;
      await opts.publisher.publish(topics.paymentStatus, batch.map((r) => ({ key: r.invoice_id, value: r.payload, headers: { 'status-version': String(r.version) } })));
      await trx('status_outbox').whereIn('id', batch.map((r) => r.id)).del();
      opts.onPublished?.(batch.length);
      return batch.length;
    });
  }

  function waitForWork(ms: number): Promise<void> {
    if (pending || !running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      };
      wakeUp = done;
    });
  }

  const loop = (async () => {
    let failures = 0;
    while (running) {
      pending = false;
      try {
        const n = await drainOnce();
        failures = 0;
        if (n > 0) continue;
        await waitForWork(n < 0 ? Math.min(50, opts.pollMs) : opts.pollMs);
      } catch (error) {
        failures += 1;
        log.warn({ err: error, failures }, 'outbox drain failed; rows stay and are retried');
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  })();

  return {
    wake() {
      pending = true;
      wakeUp?.();
    },
    drainOnce,
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
    },
  };
}
