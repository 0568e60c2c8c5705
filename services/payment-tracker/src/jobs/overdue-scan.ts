import type { Knex } from '@invoice-signal/runtime';
import { overdueMarker } from '../domain/ledger.ts';
import { recordEntry, refold, tryLockInvoice, type FoldOptions } from '../adapters/ledger-store.ts';

export interface ScanOptions extends FoldOptions {
  /** Schedule rows claimed per transaction. */
  batchSize: number;
  /** Called after each committed batch that changed statuses (counts them). */
  onChanged?: (count: number) => void;
  /** Checked between batches so a stopping service does not finish a long backlog first. */
  keepGoing?: () => boolean;
}

interface ScheduleRow {
  invoice_id: string;
  due_at: number;
}

/**
 * One batch: claims due schedule rows with FOR UPDATE SKIP LOCKED (another instance scanning at
 * the same time takes other rows), records the overdue marker and refolds each invoice. The
 * marker's id is deterministic, so even a row processed twice yields one transition. A crash
 * before commit releases the rows; the next scan, here or elsewhere, takes them again.
 */
async function scanBatch(db: Knex, now: number, opts: ScanOptions): Promise<{ claimed: number; changed: number; busy: number }> {
  return db.transaction(async (trx) => {
    const due: ScheduleRow[] = await trx('overdue_schedule').select('invoice_id', 'due_at')
      .where('fire_at', '<=', now).orderBy('fire_at').limit(opts.batchSize).forUpdate().skipLocked();
    let changed = 0;
    let busy = 0;
    for (const row of due) {
      // The consumer may hold this invoice and be waiting for our schedule row: skip, never wait.
      if (!(await tryLockInvoice(trx, row.invoice_id))) {
        busy += 1;
        continue;
      }
      const fresh = await recordEntry(trx, overdueMarker(row.invoice_id, row.due_at, opts.overdueGraceMs));
      const result = fresh ? await refold(trx, row.invoice_id, opts) : undefined;
      if (result?.outcome === 'changed') changed += 1;
      // A marker that changed nothing (already recorded, or the invoice moved on) must not fire again.
      else await trx('overdue_schedule').where({ invoice_id: row.invoice_id, due_at: row.due_at }).del();
    }
    return { claimed: due.length, changed, busy };
  });
}

/** Scans until no due row is left (or only rows busy elsewhere). Returns the invoices turned overdue. */
export async function scanOverdue(db: Knex, opts: ScanOptions, now = Date.now()): Promise<number> {
  let total = 0;
  for (;;) {
    const { claimed, changed, busy } = await scanBatch(db, now, opts);
    total += changed;
    if (changed > 0) opts.onChanged?.(changed);
    if (claimed < opts.batchSize || busy === claimed || opts.keepGoing?.() === false) return total;
  }
}
