import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerContext, InvoiceEvent, PaymentStatus } from '@invoice-signal/events';
import { createLogger, type Knex } from '@invoice-signal/runtime';
import { sampleCustomerContext, sampleInvoiceEvent, samplePaymentStatus } from '@invoice-signal/testkit';
import { customerContextHandler } from '../src/handlers/customer-context.ts';
import type { HandlerDeps } from '../src/handlers/deps.ts';
import { invoiceEventHandler } from '../src/handlers/invoice-event.ts';
import { paymentStatusHandler } from '../src/handlers/payment-status.ts';
import { FALLBACK, incoming, openEnricherDb, runBatch } from './support.ts';

const day = 24 * 3600 * 1000;
const t0 = Date.UTC(2026, 10, 1, 9, 30);
const deps: HandlerDeps = {
  logger: createLogger('test', 'silent'), fallbackOwner: { ...FALLBACK, timeZone: null, team: null }, historyMonths: 12,
  trend: { windowDays: 90, minDeltaPoints: 5 }, now: () => t0 + 1000,
};
const invoices = invoiceEventHandler(deps);
const statuses = paymentStatusHandler();
const contexts = customerContextHandler(deps);

const issued = (n: number, overrides: Partial<InvoiceEvent> = {}) =>
  sampleInvoiceEvent({ eventId: `stripe:evt_b${n}`, invoiceId: `stripe:in_b${n}`, vendorCustomerId: `cus_b${n % 3}`, issuedAt: t0, occurredAt: t0, ...overrides });
const asRecords = (events: InvoiceEvent[]) => incoming(events.map((v) => ({ key: v.invoiceId, value: v })));
const statusRecords = (list: Array<PaymentStatus | { tombstone: string }>) =>
  incoming<PaymentStatus>(list.map((s) => ('tombstone' in s ? { key: s.tombstone, value: null } : { key: s.invoiceId, value: s })));
/** Statements other than BEGIN / COMMIT. */
const work = (statements: string[]) => statements.filter((s) => !/^(begin|commit)/i.test(s.trim())).length;

describe('the enricher\'s batch handlers', () => {
  let db: Knex;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await openEnricherDb('enr_batch'));
    // Given account acc_b0 (reference cus_b0) with a context and two paid invoices, one found only through its reference
    await runBatch(db, contexts, incoming<CustomerContext>([{ key: 'acc_b0', value: sampleCustomerContext({ accountId: 'acc_b0', vendorRefs: { stripeCustomerId: 'cus_b0', chargebeeCustomerId: null, salesforceAccountId: null } }) }]));
    await runBatch(db, statuses, statusRecords([
      samplePaymentStatus({ invoiceId: 'stripe:in_h1', accountId: 'acc_b0', status: 'paid', issuedAt: t0 - 60 * day, dueAt: t0 - 30 * day, paidAt: t0 - 31 * day, version: 2 }),
      samplePaymentStatus({ invoiceId: 'stripe:in_h2', accountId: null, vendorCustomerId: 'cus_b0', status: 'paid', issuedAt: t0 - 40 * day, dueAt: t0 - 10 * day, paidAt: t0 - 5 * day, version: 2 }),
      // Outside the 12-month window, and the invoice being enriched itself: neither counts.
      samplePaymentStatus({ invoiceId: 'stripe:in_h3', accountId: 'acc_b0', status: 'paid', issuedAt: t0 - 400 * day, dueAt: t0 - 370 * day, paidAt: t0 - 300 * day, version: 2 }),
      samplePaymentStatus({ invoiceId: 'stripe:in_b0', accountId: null, vendorCustomerId: 'cus_b0', status: 'pending', issuedAt: t0, dueAt: t0 + 30 * day, version: 1 }),
    ]));
  });
  afterAll(async () => drop?.());

  it('enriches the same invoice event twice in one batch once: one row, one record emitted, caused by the first', async () => {
    const records = asRecords([issued(0), issued(1), issued(0)]);
    const run = await runBatch(db, invoices, records);
    expect(run.emitted.map((r) => (r.value as { invoice: InvoiceEvent }).invoice.eventId).sort()).toEqual(['stripe:evt_b0', 'stripe:evt_b1']);
    expect(run.emitted.find((r) => r.key === 'acc_b0')!.cause).toBe(records[0]);
    const rows = await db('invoice_enrichments').whereIn('event_id', ['stripe:evt_b0', 'stripe:evt_b1']).select('event_id', 'matched', 'wait_source', 'wait_vendor_customer_id').orderBy('event_id');
    expect(rows).toEqual([
      { event_id: 'stripe:evt_b0', matched: true, wait_source: null, wait_vendor_customer_id: null },
      { event_id: 'stripe:evt_b1', matched: false, wait_source: 'stripe', wait_vendor_customer_id: 'cus_b1' },
    ]);
    // Each invoice got its own history: in_b0's account's two invoices in the window, not itself.
    const matched = run.emitted.find((r) => r.key === 'acc_b0')!.value as { paymentHistory: { invoices: number; paidLate: number } };
    expect(matched.paymentHistory).toMatchObject({ invoices: 2, paidLate: 1 });
  });

  it('emits nothing when the batch is replayed (after a crash between the send and the offset commit)', async () => {
    const run = await runBatch(db, invoices, asRecords([issued(0), issued(1)]));
    expect(run.emitted).toEqual([]);
  });

  it('sends the same handful of statements for a batch of 1 and a batch of 200 invoices', async () => {
    const one = await runBatch(db, invoices, asRecords([issued(1002)])); // cus_b0: mapped to acc_b0
    const many = await runBatch(db, invoices, asRecords(Array.from({ length: 200 }, (_, i) => issued(2000 + i, i % 4 === 0 ? { accountId: `acc_x${i % 7}`, vendorCustomerId: null } : {}))));
    expect(many.emitted).toHaveLength(200);
    // lock, vendor references, contexts, payment histories, insert
    expect(work(one.statements)).toBe(5);
    expect(work(many.statements)).toBe(5);
    console.log(`invoice batch: ${one.statements.length} statements for 1 invoice, ${many.statements.length} for 200 (BEGIN and COMMIT included)`);
  });

  it('skips events other than issued without a statement', async () => {
    const run = await runBatch(db, invoices, asRecords([issued(3000, { type: 'paid' })]));
    expect(run.emitted).toEqual([]);
    expect(work(run.statements)).toBe(0);
  });

  describe('payment statuses', () => {
    const held = (id: string) => db('payment_history').where({ invoice_id: id }).first('status', 'version', 'ever_failed', 'last_failed_at');
    const status = (invoiceId: string, version: number, status: PaymentStatus['status'], more: Partial<PaymentStatus> = {}) =>
      samplePaymentStatus({ invoiceId, version, status, previousStatus: null, lastEventAt: t0 + version, ...more });

    it('keeps the highest version of an invoice seen twice in one batch, whatever the order, in one upsert', async () => {
      const run = await runBatch(db, statuses, statusRecords([status('p:1', 3, 'paid'), status('p:2', 1, 'pending'), status('p:1', 2, 'pending'), status('p:2', 2, 'paid')]));
      expect(await held('p:1')).toMatchObject({ status: 'paid', version: 3 });
      expect(await held('p:2')).toMatchObject({ status: 'paid', version: 2 });
      expect(work(run.statements)).toBe(1);
    });

    it('lets the last record per key win between a tombstone and a value in one batch', async () => {
      await runBatch(db, statuses, statusRecords([status('p:3', 5, 'pending'), status('p:4', 5, 'pending')]));
      const run = await runBatch(db, statuses, statusRecords([{ tombstone: 'p:3' }, status('p:3', 1, 'paid'), status('p:4', 6, 'paid'), { tombstone: 'p:4' }]));
      // p:3 was deleted, then came back at version 1 (a new life of the key, not an older version)
      expect(await held('p:3')).toMatchObject({ status: 'paid', version: 1 });
      expect(await held('p:4')).toBeUndefined();
      expect(work(run.statements)).toBe(2);
    });

    it('remembers a failure seen between two versions of one batch, but not one older than the row held', async () => {
      await runBatch(db, statuses, statusRecords([status('p:5', 1, 'pending')]));
      await runBatch(db, statuses, statusRecords([status('p:5', 2, 'failed'), status('p:5', 3, 'overdue'), status('p:5', 4, 'paid', { paidAt: t0 })]));
      expect(await held('p:5')).toEqual({ status: 'paid', version: 4, ever_failed: true, last_failed_at: t0 + 2 });

      await runBatch(db, statuses, statusRecords([status('p:6', 5, 'failed')]));
      await runBatch(db, statuses, statusRecords([status('p:6', 4, 'failed', { lastEventAt: t0 - 99 }), status('p:6', 6, 'paid', { paidAt: t0 })]));
      expect(await held('p:6')).toEqual({ status: 'paid', version: 6, ever_failed: true, last_failed_at: t0 + 5 });
    });
  });
});
