import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterName, topicName, topics, type CustomerContext } from '@invoice-signal/events';
import { eventually, sampleCustomerContext, sampleInvoiceEvent, TopicReader } from '@invoice-signal/testkit';
import { startEnricher, type Harness } from './support.ts';

const t = Date.UTC(2026, 10, 20);

describe('context snapshots of one account arriving out of order', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startEnricher('stale');
  });
  afterAll(async () => h?.stop());

  const snapshot = (name: string, snapshotAt: number, stripeCustomerId: string): CustomerContext =>
    sampleCustomerContext({ accountId: 'acc_ooo', name, snapshotAt, vendorRefs: { stripeCustomerId, chargebeeCustomerId: null, salesforceAccountId: null } });
  const held = async () => {
    const res = await fetch(`${h.service.url}/api/context/accounts/acc_ooo`, { headers: { authorization: `Bearer ${h.token}` } });
    return res.status === 200 ? ((await res.json()) as CustomerContext) : undefined;
  };

  it('keeps the newer snapshot, its vendor references and its data, and ignores the older one', async () => {
    await h.publisher.publish(topics.customerContext, [
      { key: 'acc_ooo', value: snapshot('Newer Name', t, 'cus_new_ref') },
      { key: 'acc_ooo', value: snapshot('Older Name', t - 1, 'cus_old_ref') },
      { key: 'acc_ooo', value: snapshot('Same Time Name', t, 'cus_same_ref') },
    ]);
    await h.waitConsumed(topics.customerContext, 3);
    expect(await held()).toMatchObject({ name: 'Newer Name', snapshotAt: t });

    const viaNew = sampleInvoiceEvent({ eventId: 'e_new', invoiceId: 'stripe:in_new_ref', vendorCustomerId: 'cus_new_ref' });
    const viaOld = sampleInvoiceEvent({ eventId: 'e_old', invoiceId: 'stripe:in_old_ref', vendorCustomerId: 'cus_old_ref' });
    await h.publisher.publish(topics.invoiceEvents, [viaNew, viaOld].map((v) => ({ key: v.invoiceId, value: v })));
    const out = await h.enriched.waitFor(2);
    expect(out.find((r) => r.value!.invoice.eventId === 'e_new')!.value).toMatchObject({ accountId: 'acc_ooo', matched: true, context: { name: 'Newer Name' } });
    expect(out.find((r) => r.value!.invoice.eventId === 'e_old')!.value).toMatchObject({ accountId: 'unmatched:stripe:cus_old_ref', matched: false });
  });

  it('replaces the held snapshot with a newer one', async () => {
    await h.publisher.publish(topics.customerContext, [{ key: 'acc_ooo', value: snapshot('Newest Name', t + 1, 'cus_new_ref') }]);
    await eventually('the newest snapshot to be held', async () => (await held())?.name === 'Newest Name');
  });

  it('dead-letters a snapshot published under another account\'s key, and goes on', async () => {
    const dlq = await TopicReader.openRaw(deadLetterName(topicName(topics.customerContext, h.namespace)));
    try {
      await h.publisher.publish(topics.customerContext, [
        { key: 'acc_someone_else', value: snapshot('Wrong Key', t + 5, 'cus_wrong') },
        { key: 'acc_ooo', value: snapshot('After The Bad One', t + 6, 'cus_new_ref') },
      ]);
      const [dead] = await dlq.waitFor(1);
      expect(dead!.headers['dlq.error.code']).toBe('CTX_BAD_KEY');
      expect(dead!.headers['dlq.error.message']).toContain('"acc_ooo" arrived under key "acc_someone_else"');
      await eventually('the next snapshot to be applied', async () => (await held())?.name === 'After The Bad One');
    } finally {
      await dlq.close();
    }
  });
});
