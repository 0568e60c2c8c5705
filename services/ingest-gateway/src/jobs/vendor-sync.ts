import type { BillingSource } from '@invoice-signal/events';
import { HttpProblem, type Knex, type Logger } from '@invoice-signal/runtime';
import type { ReceiptLog } from '../adapters/receipt-log.ts';
import { createSyncState } from '../adapters/sync-state.ts';
import { backfillStart } from '../domain/backfill.ts';
import type { Delivery } from '../domain/delivery.ts';
import { recoveryWindow } from '../domain/recovery.ts';
import type { Ingestor } from '../ingest/accept-deliveries.ts';
import { pulled, pullSkipped } from '../metrics.ts';

/** A delivery read from a vendor's API, with the vendor's object as read (kept as the receipt's raw payload). */
export interface Pulled {
  delivery: Delivery;
  raw: unknown;
}

/** Publishes pulled deliveries through the webhooks' durable path; resolves with how many were new. */
export type Emit = (items: Pulled[]) => Promise<number>;

/** One vendor's APIs, mapped the way its webhooks are. */
export interface VendorSource {
  source: BillingSource;
  /** Reads the vendor's events within [from, until] and emits them (oldest first), marked recovered. */
  recover(window: { from: number; until: number }, receivedAt: number, emit: Emit): Promise<void>;
  /** The invoices created within [from, until], a page at a time, as backfill deliveries. */
  backfill(from: number, until: number, receivedAt: number): AsyncGenerator<Pulled[]>;
}

export interface SyncSettings {
  /** Off: the run only backfills; the cursor stays where it was, so turning recovery on reads from there. */
  recover: boolean;
  settleMs: number;
  maxWindowMs: number;
  backfillMonths: number;
}

export interface SyncDeps {
  receipts: ReceiptLog;
  ingestor: Ingestor;
  logger: Logger;
}

/**
 * Maps one vendor object; one the mapping refuses (a webhook would have got a 400) is logged and
 * skipped, so it cannot hold back the rest of the window for ever.
 */
export function mapOrSkip<T>(source: BillingSource, id: string | undefined, logger: Logger, map: () => T): T | null {
  try {
    return map();
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    pullSkipped.inc({ source });
    logger.warn({ source, id, reason: error.message }, 'vendor object read from the API could not be mapped; skipped');
    return null;
  }
}

function emitter(source: BillingSource, origin: 'recovered' | 'backfill', ingestor: Ingestor): Emit {
  return async (items) => {
    if (!items.length) return 0;
    const outcomes = await ingestor.acceptMany(items.map((i) => ({ delivery: i.delivery, raw: { text: JSON.stringify(i.raw), contentType: 'application/json' } })));
    const accepted = outcomes.filter((o) => o === 'accepted').length;
    pulled.inc({ source, origin }, accepted);
    return accepted;
  };
}

/** Imports the history once: invoices the receipt log already has are left out (their own events tell more). */
async function backfill(vendor: VendorSource, deps: SyncDeps, from: number, until: number, now: number): Promise<number> {
  const emit = emitter(vendor.source, 'backfill', deps.ingestor);
  const invoices = new Set<string>();
  for await (const page of vendor.backfill(from, until, now)) {
    const known = await deps.receipts.knownInvoices([...new Set(page.map((p) => p.delivery.event!.invoiceId))]);
    const fresh = page.filter((p) => !known.has(p.delivery.event!.invoiceId));
    await emit(fresh);
    fresh.forEach((p) => { invoices.add(p.delivery.event!.invoiceId); });
  }
  return invoices.size;
}

/**
 * One run for one vendor, inside the job's lock transaction `trx`: on first connection the
 * history of the last months (backfill, once), then the vendor's events since the cursor that
 * never arrived (recovery). The cursor and the backfill mark are written through `trx`, so a
 * run that fails leaves them as they were and the next one repeats it; what it had published is
 * then found in the receipt log (same vendor event ids) and not published again. Returns 1 while
 * more settled time waits to be read.
 */
export async function syncOnce(vendor: VendorSource, deps: SyncDeps, settings: SyncSettings, trx: Knex, now = Date.now()): Promise<number> {
  const store = createSyncState(trx);
  const state = await store.connect(vendor.source, now);
  if (state.backfillDoneAt === null && settings.backfillMonths > 0) {
    const from = backfillStart(state.connectedAt, settings.backfillMonths);
    const invoices = await backfill(vendor, deps, from, state.connectedAt, now);
    await store.backfilled(vendor.source, from, invoices, now);
    deps.logger.info({ source: vendor.source, from: new Date(from).toISOString(), invoices }, 'backfill imported the invoice history (nobody is notified of it)');
  }
  const window = settings.recover ? recoveryWindow(state.eventsCursor, now, settings.settleMs, settings.maxWindowMs) : null;
  if (!window) return 0;
  const recovered = emitter(vendor.source, 'recovered', deps.ingestor);
  let count = 0;
  await vendor.recover(window, now, async (items) => {
    const accepted = await recovered(items);
    count += accepted;
    return accepted;
  });
  await store.saveCursor(vendor.source, window.until);
  if (count) deps.logger.info({ source: vendor.source, recovered: count, from: new Date(window.from).toISOString(), until: new Date(window.until).toISOString() }, 'recovered vendor events whose webhooks never arrived');
  return window.more ? 1 : 0;
}
