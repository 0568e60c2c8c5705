import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde, topics, type EnrichedInvoice, type PaymentStatus } from '@invoice-signal/events';
import { createDb, type Knex } from '@invoice-signal/runtime';
import { eventually, outboundMessage, soapHeaders, stackEndpoints, SystemUnderTest, TopicReader, uid, uniqueName } from '@invoice-signal/testkit';
import { scanOverdue } from '../../services/payment-tracker/src/jobs/overdue-scan.ts';

/**
 * Salesforce sends "due 2026-12-01" with no time of day. The gateway reads it in its default zone
 * (UTC); the account's billing entity is in Los Angeles, so the enricher moves the due date to the
 * end of 2026-12-01 there (2026-12-02T07:59:59.999Z) and the payment-tracker's overdue clock and
 * the enricher's on-time count follow. Time is controlled by running the tracker's overdue scan
 * with a given "now" against its database (the live scan runs once a day here, and the real clock
 * is before every due date used).
 */
const at = (iso: string) => Date.parse(iso);
const endOfDueDayInLosAngeles = '2026-12-02T07:59:59.999Z';

describe('a date-only due date ends at the end of that day in the account’s billing zone (gateway → enricher → payment-tracker)', () => {
  const run = uniqueName('due_zone');
  const sfAccount = `001${run}`.slice(0, 40);
  const accountId = `acc_la_${run}`;
  let system: SystemUnderTest;
  let statuses: TopicReader<PaymentStatus>;
  let enriched: TopicReader<EnrichedInvoice>;
  let tracker: Knex;
  let enricher: Knex;

  const latest = (invoiceId: string) => statuses.records.filter((r) => r.key === `salesforce:${invoiceId}` && r.value).map((r) => r.value!).sort((a, b) => a.version - b.version).at(-1);
  const statusWhere = (invoiceId: string, test: (s: PaymentStatus) => boolean, what: string) =>
    eventually(`${invoiceId} ${what}`, () => { const s = latest(invoiceId); return s && test(s) ? s : undefined; }, { timeoutMs: 30_000, intervalMs: 200 });
  const scanAt = (iso: string) => scanOverdue(tracker, { overdueGraceMs: 0, batchSize: 100 }, at(iso));

  async function salesforce(type: 'blng__Invoice__c' | 'blng__Payment__c', fields: Record<string, string>) {
    // The endpoint token is checked once main's Salesforce sender checks (issue 14) are merged; ignored before.
    const res = await fetch(`${system.url('ingest-gateway')}/api/webhooks/billing/salesforce?token=${system.secrets.SALESFORCE_ENDPOINT_TOKEN ?? ''}`, {
      method: 'POST', headers: soapHeaders, body: outboundMessage(system.secrets.SALESFORCE_ORG_ID, [{ type, fields: { CurrencyIsoCode: 'USD', blng__Account__c: sfAccount, ...fields } }]),
    });
    expect(res.status).toBe(200);
  }
  const invoice = (id: string, invoiceDate: string, dueDate: string) => salesforce('blng__Invoice__c', {
    Id: id, blng__InvoiceStatus__c: 'Posted', blng__TotalAmount__c: '100.00', blng__InvoiceDate__c: invoiceDate, blng__DueDate__c: dueDate, LastModifiedDate: `${invoiceDate}T10:00:00Z`,
  });
  const payment = (invoiceId: string, when: string) => salesforce('blng__Payment__c', { Id: uid('a1P'), blng__Invoice__c: invoiceId, blng__Amount__c: '100.00', blng__Status__c: 'Posted', LastModifiedDate: when });

  beforeAll(async () => {
    system = await SystemUnderTest.start({
      namespace: run, services: ['ingest-gateway', 'enricher', 'payment-tracker'],
      env: { OVERDUE_GRACE_MS: '0', OVERDUE_SCAN_INTERVAL_MS: String(24 * 3600_000) }, // BILLING_TIME_ZONE left at its default, UTC
    });
    const serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace: run });
    statuses = await TopicReader.open(topics.paymentStatus, serde);
    enriched = await TopicReader.open(topics.enriched, serde);
    tracker = createDb(system.databaseUrls().get('payment-tracker')!, 2);
    enricher = createDb(system.databaseUrls().get('enricher')!, 2);
    const res = await fetch(`${system.url('enricher')}/api/context/accounts`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${system.secrets.CONTEXT_ADMIN_TOKEN}` },
      body: JSON.stringify([{ accountId, name: 'Pacific Freight', csm: { id: `csm_${run}`, timeZone: 'America/Los_Angeles' }, billingTimeZone: 'America/Los_Angeles', vendorRefs: { salesforceAccountId: sfAccount } }]),
    });
    expect(res.status).toBe(202);
    await eventually('the enricher to hold the account', async () => (await fetch(`${system.url('enricher')}/api/context/accounts/${accountId}`, { headers: { authorization: `Bearer ${system.secrets.CONTEXT_ADMIN_TOKEN}` } })).ok, { timeoutMs: 30_000 });
  }, 240_000);

  afterAll(async () => {
    await statuses?.close();
    await enriched?.close();
    await tracker?.destroy();
    await enricher?.destroy();
    await system?.stop();
  });

  it('is not overdue at 2026-12-01T20:00Z nor after midnight UTC, a payment on the day counts as on time, and overdue comes after the Los Angeles day ends', async () => {
    const [paidAt2000, paidEvening, unpaid, later] = [uid('a0x'), uid('a0x'), uid('a0x'), uid('a0x')];
    for (const id of [paidAt2000, paidEvening, unpaid]) await invoice(id, '2026-11-01', '2026-12-01');

    // The gateway published the end of the day in UTC; the enricher's account zone reaches the tracker.
    for (const id of [paidAt2000, paidEvening, unpaid]) {
      const s = await statusWhere(id, (x) => x.dueAt === at(endOfDueDayInLosAngeles), `due at ${endOfDueDayInLosAngeles}`);
      expect(s.status).toBe('pending');
    }
    const [enrichedRecord] = await enriched.waitFor(1, (r) => r.value?.invoice.invoiceId === `salesforce:${unpaid}`);
    expect(enrichedRecord.value!.invoice).toMatchObject({ dueDate: '2026-12-01', dueTimeZone: 'America/Los_Angeles', dueAt: at(endOfDueDayInLosAngeles) });

    // 12:00 in Los Angeles on the due date, then 17:00 and 21:00 there (past the end of the day in UTC): not overdue.
    for (const now of ['2026-12-01T20:00:00Z', '2026-12-02T01:00:00Z', '2026-12-02T05:00:00Z']) expect(await scanAt(now)).toBe(0);

    await payment(paidAt2000, '2026-12-01T20:00:00Z');
    await payment(paidEvening, '2026-12-02T05:00:00Z'); // 21:00 on 2026-12-01 in Los Angeles
    const a = await statusWhere(paidAt2000, (x) => x.status === 'paid', 'paid');
    const b = await statusWhere(paidEvening, (x) => x.status === 'paid', 'paid');
    expect([a.paidAt, b.paidAt]).toEqual([at('2026-12-01T20:00:00Z'), at('2026-12-02T05:00:00Z')]);
    for (const s of [a, b]) expect(s.paidAt! <= s.dueAt!).toBe(true);

    // The last instant of the day is still on time; the first millisecond after it is late.
    expect(await scanAt(endOfDueDayInLosAngeles)).toBe(0);
    expect(await scanAt('2026-12-02T08:00:00Z')).toBe(1);
    const overdue = await statusWhere(unpaid, (x) => x.status === 'overdue', 'overdue');
    expect(overdue.overdueSince).toBe(at('2026-12-02T08:00:00.000Z'));
    const steps = await tracker('status_transitions').whereIn('invoice_id', [`salesforce:${paidAt2000}`, `salesforce:${paidEvening}`]).pluck('to_status');
    expect(steps).not.toContain('overdue');

    // The enricher counts both payments on time in the account's payment history.
    await eventually('the enricher to see both payments and the overdue invoice', async () => {
      const rows: Array<{ status: string }> = await enricher('payment_history').whereIn('invoice_id', [paidAt2000, paidEvening, unpaid].map((id) => `salesforce:${id}`)).select('status');
      return rows.filter((r) => r.status === 'paid').length === 2 && rows.some((r) => r.status === 'overdue');
    }, { timeoutMs: 30_000 });
    await invoice(later, '2026-12-03', '2027-01-01');
    const [next] = await enriched.waitFor(1, (r) => r.value?.invoice.invoiceId === `salesforce:${later}`);
    expect(next.value!.paymentHistory).toMatchObject({ invoices: 3, paidOnTime: 2, paidLate: 0, overdue: 1 });
  }, 120_000);
});
