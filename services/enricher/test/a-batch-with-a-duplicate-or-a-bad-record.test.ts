import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterName, topicName, topics, type CustomerContext } from '@invoice-signal/events';
import { eventually, sampleCustomerContext, sampleInvoiceEvent, TopicReader } from '@invoice-signal/testkit';
import { startEnricher, type Harness } from './support.ts';

const t = Date.UTC(2026, 10, 20);

/** Records of one send under one key share a partition and a record batch: the consumer gets them as one batch. */
describe('one fetched batch through the running enricher', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startEnricher('batch_edge');
  });
  afterAll(async () => h?.stop());

  it('enriches an invoice event delivered twice in one batch once: one row, one record', async () => {
    const twice = sampleInvoiceEvent({ eventId: 'stripe:evt_twice', invoiceId: 'stripe:in_twice', vendorCustomerId: 'cus_twice' });
    const marker = sampleInvoiceEvent({ eventId: 'stripe:evt_twice_marker', invoiceId: 'stripe:in_twice', vendorCustomerId: 'cus_twice' });
    await h.publisher.publish(topics.invoiceEvents, [twice, twice, marker].map((v) => ({ key: v.invoiceId, value: v })));
    // The marker comes after both copies in the partition, so once it is out both copies were handled.
    await h.enriched.waitFor(1, (r) => r.value?.invoice.eventId === 'stripe:evt_twice_marker');
    expect(h.enriched.records.filter((r) => r.value?.invoice.eventId === 'stripe:evt_twice')).toHaveLength(1);
    const rows = await h.service.ctx.db('invoice_enrichments').where({ invoice_id: 'stripe:in_twice' }).select('event_id').orderBy('event_id');
    expect(rows.map((r) => r.event_id)).toEqual(['stripe:evt_twice', 'stripe:evt_twice_marker']);
  });

  it('dead-letters only the snapshot under a wrong key and applies the others of its batch, re-enriching what waited', async () => {
    const dlq = await TopicReader.openRaw(deadLetterName(topicName(topics.customerContext, h.namespace)));
    try {
      // Given two invoices waiting for billing identities no account claims yet
      const waiting = ['cus_first', 'cus_second'].map((ref) => sampleInvoiceEvent({ eventId: `stripe:evt_${ref}`, invoiceId: `stripe:in_${ref}`, vendorCustomerId: ref }));
      await h.publisher.publish(topics.invoiceEvents, waiting.map((v) => ({ key: v.invoiceId, value: v })));
      await h.enriched.waitFor(2, (r) => r.value!.invoice.invoiceId.startsWith('stripe:in_cus_'));

      // When one batch brings a snapshot, a bad one (key acc_batch, account acc_other), and a newer snapshot
      const snapshot = (accountId: string, name: string, snapshotAt: number, stripeCustomerId: string): CustomerContext =>
        sampleCustomerContext({ accountId, name, snapshotAt, vendorRefs: { stripeCustomerId, chargebeeCustomerId: null, salesforceAccountId: null } });
      await h.publisher.publish(topics.customerContext, [
        { key: 'acc_batch', value: snapshot('acc_batch', 'First', t, 'cus_first') },
        { key: 'acc_batch', value: snapshot('acc_other', 'Wrong Key', t + 1, 'cus_wrong') },
        { key: 'acc_batch', value: snapshot('acc_batch', 'Second', t + 2, 'cus_second') },
      ]);

      // Then only the bad one is dead-lettered
      const [dead] = await dlq.waitFor(1);
      expect(dead!.headers['dlq.error.code']).toBe('CTX_BAD_KEY');
      expect(dead!.headers['dlq.error.message']).toContain('"acc_other" arrived under key "acc_batch"');
      // and both good ones were applied in order: each waiting invoice re-enriched once, matched, revision 2
      const late = await h.enriched.waitFor(2, (r) => r.value!.revision === 2);
      expect(late.map((r) => [r.value!.invoice.invoiceId, r.key, r.value!.context!.name]).sort()).toEqual([
        ['stripe:in_cus_first', 'acc_batch', 'First'],
        ['stripe:in_cus_second', 'acc_batch', 'Second'],
      ]);
      await eventually('the newest snapshot to be held', async () => {
        const res = await fetch(`${h.service.url}/api/context/accounts/acc_batch`, { headers: { authorization: `Bearer ${h.token}` } });
        return res.status === 200 && ((await res.json()) as CustomerContext).name === 'Second';
      });
      expect(await h.service.ctx.db('account_context').where({ account_id: 'acc_other' }).first()).toBeUndefined();
      expect(dlq.records).toHaveLength(1);
    } finally {
      await dlq.close();
    }
  });
});
