import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@invoice-signal/events';
import { sampleCustomerContext, sampleInvoiceEvent, samplePaymentStatus } from '@invoice-signal/testkit';
import { startEnricher, type Harness } from './support.ts';

const day = 24 * 3600 * 1000;
const t0 = Date.UTC(2026, 10, 1, 9, 30);

describe('an issued invoice of a known account', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startEnricher('matched');
  });
  afterAll(async () => h?.stop());

  it('is published keyed by the account with its context, owner, health trend and 12-month payment history', async () => {
    // Given the CRM's snapshot, and payment statuses from the tracker (one found only through its Stripe customer id)
    await h.publisher.publish(topics.customerContext, [{ key: 'acc_acme', value: sampleCustomerContext({ vendorRefs: { stripeCustomerId: 'cus_m', chargebeeCustomerId: null, salesforceAccountId: null } }) }]);
    const paid = (id: string, issuedDaysAgo: number, paidDaysAfterDue: number, version = 2) => {
      const issuedAt = t0 - issuedDaysAgo * day;
      const dueAt = issuedAt + 30 * day;
      return samplePaymentStatus({ invoiceId: id, accountId: 'acc_acme', status: 'paid', issuedAt, dueAt, paidAt: dueAt + paidDaysAfterDue * day, version });
    };
    const statuses = [
      paid('stripe:in_p1', 300, -1),
      paid('stripe:in_p2', 200, 0),
      samplePaymentStatus({ invoiceId: 'stripe:in_p3', accountId: 'acc_acme', status: 'pending', issuedAt: t0 - 100 * day, dueAt: t0 - 70 * day, version: 1 }),
      paid('stripe:in_p3', 100, 20, 3),
      // an older version arriving late must not roll the invoice back to pending
      samplePaymentStatus({ invoiceId: 'stripe:in_p3', accountId: 'acc_acme', status: 'pending', issuedAt: t0 - 100 * day, dueAt: t0 - 70 * day, version: 2 }),
      samplePaymentStatus({ invoiceId: 'stripe:in_p4', accountId: null, vendorCustomerId: 'cus_m', status: 'failed', issuedAt: t0 - 40 * day, dueAt: t0 - 10 * day, lastEventAt: t0 - 12 * day, version: 2 }),
      paid('stripe:in_old', 400, 90),
      samplePaymentStatus({ invoiceId: 'stripe:in_new', accountId: null, vendorCustomerId: 'cus_m', status: 'pending', issuedAt: t0, dueAt: t0 + 30 * day, version: 1 }),
    ];
    await h.publisher.publish(topics.paymentStatus, statuses.map((s) => ({ key: s.invoiceId, value: s })));
    await h.waitConsumed(topics.customerContext, 1);
    await h.waitConsumed(topics.paymentStatus, statuses.length);

    // When the invoice is issued
    const invoice = sampleInvoiceEvent({ eventId: 'stripe:evt_new', invoiceId: 'stripe:in_new', vendorCustomerId: 'cus_m', issuedAt: t0, occurredAt: t0 });
    await h.publisher.publish(topics.invoiceEvents, [{ key: invoice.invoiceId, value: invoice }]);

    // Then
    const [out] = await h.enriched.waitFor(1, (r) => r.value?.invoice.invoiceId === 'stripe:in_new');
    expect(out!.key).toBe('acc_acme');
    const e = out!.value!;
    expect(e).toMatchObject({ accountId: 'acc_acme', matched: true, revision: 1, owner: { id: 'csm_alice', email: 'alice@example.com', slackUserId: 'U0ALICE' } });
    expect(e.invoice).toMatchObject({ invoiceId: 'stripe:in_new', accountId: 'acc_acme', totalMinor: 1_250_000, currency: 'EUR' });
    expect(e.context).toMatchObject({ name: 'Acme Corp', contract: { tier: 'strategic', renewalDate: t0 + 35 * day }, supportIssues: { open: 2 }, disputes: { count: 1 } });
    expect(e.context!.valueDelivered).toEqual([{ metric: 'hours saved', value: 1240.5, unit: 'hours', period: '2026-Q3' }]);
    expect(e.healthTrend).toEqual({ direction: 'declining', fromScore: 80, toScore: 62, deltaPoints: -18, windowDays: 60 });
    expect(e.paymentHistory).toEqual({
      windowMonths: 12, invoices: 4, paidOnTime: 2, paidLate: 1, averageDaysLate: 20, maxDaysLate: 20,
      failed: 1, overdue: 1, lastFailedAt: t0 - 12 * day, classification: 'fair',
    });
  });

  it('is enriched once however often its event is redelivered', async () => {
    const first = sampleInvoiceEvent({ eventId: 'stripe:evt_dup', invoiceId: 'stripe:in_dup', vendorCustomerId: 'cus_m' });
    const next = sampleInvoiceEvent({ eventId: 'stripe:evt_after', invoiceId: 'stripe:in_dup', type: 'issued', vendorCustomerId: 'cus_m' });
    const paidEvent = sampleInvoiceEvent({ eventId: 'stripe:evt_paid', invoiceId: 'stripe:in_dup', type: 'paid', vendorCustomerId: 'cus_m' });
    // Same key, so one partition: the duplicate is handled before the marker event after it.
    await h.publisher.publish(topics.invoiceEvents, [first, first, paidEvent, first, next].map((v) => ({ key: v.invoiceId, value: v })));
    await h.enriched.waitFor(1, (r) => r.value?.invoice.eventId === 'stripe:evt_after');
    const forDup = h.enriched.records.filter((r) => r.value?.invoice.eventId === 'stripe:evt_dup');
    expect(forDup).toHaveLength(1);
    expect(h.enriched.records.some((r) => r.value?.invoice.eventId === 'stripe:evt_paid')).toBe(false);
  });
});
