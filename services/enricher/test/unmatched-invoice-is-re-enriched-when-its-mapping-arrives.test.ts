import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@invoice-signal/events';
import { sampleInvoiceEvent } from '@invoice-signal/testkit';
import { FALLBACK, startEnricher, type Harness } from './support.ts';

const account = (accountId: string, vendorRefs: Record<string, string>) => ({
  accountId, name: `Late ${accountId}`, csm: { id: 'csm_bob', email: 'bob@example.com', slackUserId: 'U0BOB' },
  health: { score: 74, asOf: '2026-11-01T00:00:00Z' }, contract: { arrMinor: 4_800_000, currency: 'USD', renewalDate: '2027-02-01', tier: 'standard' },
  supportIssues: { open: 0, last30d: 1 }, disputes: { count: 0, lastAt: null }, valueDelivered: [], vendorRefs,
});

describe('an invoice whose customer is not known yet', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startEnricher('late_match');
  });
  afterAll(async () => h?.stop());

  const importAccounts = async (body: unknown) => {
    const res = await fetch(`${h.service.url}/api/context/accounts`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
  };

  it('goes out unmatched to the fallback owner, then again matched (revision 2) once a snapshot maps its vendor reference', async () => {
    const stripeInvoice = sampleInvoiceEvent({ eventId: 'stripe:evt_l1', invoiceId: 'stripe:in_l1', vendorCustomerId: 'cus_late' });
    const chargebeeInvoice = sampleInvoiceEvent({ eventId: 'chargebee:ev_l2', invoiceId: 'chargebee:inv_l2', source: 'chargebee', vendorCustomerId: 'cb_elsewhere' });
    const manualInvoice = sampleInvoiceEvent({ eventId: 'manual:row_l3', invoiceId: 'manual:l3', source: 'manual', vendorCustomerId: null, accountId: 'acc_manual' });
    await h.publisher.publish(topics.invoiceEvents, [stripeInvoice, chargebeeInvoice, manualInvoice].map((v) => ({ key: v.invoiceId, value: v })));

    const first = await h.enriched.waitFor(3);
    const byInvoice = (id: string) => first.find((r) => r.value!.invoice.invoiceId === id)!;
    expect(byInvoice('stripe:in_l1').key).toBe('unmatched:stripe:cus_late');
    expect(byInvoice('stripe:in_l1').value).toMatchObject({ accountId: 'unmatched:stripe:cus_late', matched: false, revision: 1, context: null, healthTrend: null, owner: { ...FALLBACK, timeZone: null } });
    expect(byInvoice('chargebee:inv_l2').value).toMatchObject({ accountId: 'unmatched:chargebee:cb_elsewhere', matched: false });
    expect(byInvoice('manual:l3').value).toMatchObject({ accountId: 'acc_manual', matched: false, owner: { id: FALLBACK.id } });

    // When the import API brings the accounts those invoices belong to
    await importAccounts([account('acc_late', { stripeCustomerId: 'cus_late' }), account('acc_manual', {})]);

    // Then each waiting invoice is enriched again, matched, under the real account key
    const late = await h.enriched.waitFor(2, (r) => r.value!.revision === 2);
    const stripe = late.find((r) => r.value!.invoice.invoiceId === 'stripe:in_l1')!;
    expect(stripe.key).toBe('acc_late');
    expect(stripe.value).toMatchObject({ accountId: 'acc_late', matched: true, revision: 2, owner: { id: 'csm_bob', slackUserId: 'U0BOB' }, context: { name: 'Late acc_late', origin: 'import-api' } });
    expect(stripe.value!.invoice.accountId).toBe('acc_late');
    expect(stripe.value!.enrichmentId).not.toBe(byInvoice('stripe:in_l1').value!.enrichmentId);
    expect(late.find((r) => r.value!.invoice.invoiceId === 'manual:l3')!.value).toMatchObject({ accountId: 'acc_manual', matched: true, owner: { id: 'csm_bob' } });

    // and a later invoice of the same customer is matched at once
    const next = sampleInvoiceEvent({ eventId: 'stripe:evt_l4', invoiceId: 'stripe:in_l4', vendorCustomerId: 'cus_late' });
    await h.publisher.publish(topics.invoiceEvents, [{ key: next.invoiceId, value: next }]);
    const [direct] = await h.enriched.waitFor(1, (r) => r.value!.invoice.invoiceId === 'stripe:in_l4');
    expect(direct!.value).toMatchObject({ accountId: 'acc_late', matched: true, revision: 1 });

    // A snapshot that maps nothing new re-enriches nothing; the chargebee invoice keeps waiting.
    await importAccounts([account('acc_late', { stripeCustomerId: 'cus_late', salesforceAccountId: '001LATE' })]);
    await h.waitConsumed(topics.customerContext, 3);
    expect(h.enriched.records.filter((r) => r.value!.invoice.invoiceId === 'stripe:in_l1')).toHaveLength(2);
    expect(h.enriched.records.filter((r) => r.value!.invoice.invoiceId === 'chargebee:inv_l2')).toHaveLength(1);
  });
});
