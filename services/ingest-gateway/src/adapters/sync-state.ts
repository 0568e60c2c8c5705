import type { BillingSource } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';

export interface SyncState {
  source: BillingSource;
  /** Vendor time (epoch ms) up to which the vendor's events have been read back. */
  eventsCursor: number;
  connectedAt: number;
  backfillDoneAt: number | null;
}

interface Row {
  source: BillingSource;
  events_cursor: number;
  connected_at: Date;
  backfill_done_at: Date | null;
}

const toState = (r: Row): SyncState => ({ source: r.source, eventsCursor: Number(r.events_cursor), connectedAt: r.connected_at.getTime(), backfillDoneAt: r.backfill_done_at?.getTime() ?? null });

/** The `vendor_sync` row of each source; the sync job writes it through its lock's transaction, so a failed run leaves it as it was. */
export function createSyncState(db: Knex) {
  return {
    /** The source's state; on first connection a new one, connected now, whose events are read from now on. */
    async connect(source: BillingSource, now: number): Promise<SyncState> {
      await db('vendor_sync').insert({ source, events_cursor: now, connected_at: new Date(now) }).onConflict('source').ignore();
      return toState((await db<Row>('vendor_sync').where({ source }).first())!);
    },

    async saveCursor(source: BillingSource, cursor: number): Promise<void> {
      await db('vendor_sync').where({ source }).update({ events_cursor: cursor, updated_at: db.fn.now() });
    },

    async backfilled(source: BillingSource, from: number, invoices: number, at: number): Promise<void> {
      await db('vendor_sync').where({ source }).update({ backfill_from: from, backfill_invoices: invoices, backfill_done_at: new Date(at), updated_at: db.fn.now() });
    },
  };
}

export type SyncStateStore = ReturnType<typeof createSyncState>;
