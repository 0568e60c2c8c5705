import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicName, topics } from '@invoice-signal/events';
import { startService } from '@invoice-signal/runtime';
import { eventually, testKafka, uniqueName } from '@invoice-signal/testkit';
import { riskScorer } from '../src/service.ts';
import { monthlyInvoice } from './support/enriched-factory.ts';
import { startScorer, type ScorerHarness } from './support/scorer-harness.ts';

/** True when the group's committed offsets reach the end of every partition of the topic. */
async function caughtUp(groupId: string, topic: string): Promise<boolean> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((end) => {
      const at = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      return end.offset === '0' || at === end.offset;
    });
  } finally {
    await admin.disconnect();
  }
}

describe('replays are idempotent: dedupe on enrichmentId', () => {
  let h: ScorerHarness;
  beforeAll(async () => {
    h = await startScorer('risk_replay');
  });
  afterAll(async () => h?.close());

  const forEnrichment = (id: string) => h.assessed.records.filter((r) => r.value?.enriched.enrichmentId === id);
  const state = async (account: string) => ({
    history: await h.running.ctx.db('invoice_history').where('account_id', account).orderBy('invoice_id'),
    assessments: await h.running.ctx.db('assessments').where('account_id', account).orderBy('enrichment_id'),
  });

  it('a duplicate enriched record produces no new assessment and leaves the history as it was', async () => {
    const account = uniqueName('acc');
    const first = monthlyInvoice(account, 0, 100_000);
    await h.publishEnriched(first);
    await h.assessed.waitFor(1, (r) => r.value?.enriched.enrichmentId === first.enrichmentId);
    await eventually('the first assessment to be marked published', async () => (await state(account)).assessments[0]?.published_at);
    const before = await state(account);

    // The same record again, then a sentinel on the same partition (same key): once the sentinel
    // is assessed, the duplicate before it has been handled too.
    const sentinel = monthlyInvoice(account, 1, 100_000);
    await h.publishEnriched(first, sentinel);
    const [after] = await h.assessed.waitFor(1, (r) => r.value?.enriched.enrichmentId === sentinel.enrichmentId);

    expect(forEnrichment(first.enrichmentId)).toHaveLength(1);
    expect(after.value!.flags.map((f) => f.code)).not.toContain('FIRST_INVOICE');
    // The sentinel is on the topic before its batch commits (sent, then committed): wait for its row.
    const now = await eventually('the sentinel\'s batch committed', async () => ((await state(account)).history.length >= 2 ? state(account) : undefined));
    expect(now.history.filter((r) => r.invoice_id === first.invoice.invoiceId)).toEqual(before.history);
    expect(now.assessments.filter((r) => r.enrichment_id === first.enrichmentId)).toEqual(before.assessments);
    expect(now.history).toHaveLength(2);
  });

  it('the same enrichment twice in one batch emits one assessment', async () => {
    const account = uniqueName('acc');
    const twice = monthlyInvoice(account, 0, 100_000);
    const next = monthlyInvoice(account, 1, 100_000);
    // One publish is one record batch on the partition, so one fetch hands all three to one batch.
    await h.publishEnriched(twice, twice, next);
    const [after] = await h.assessed.waitFor(1, (r) => r.value?.enriched.enrichmentId === next.enrichmentId);

    expect(forEnrichment(twice.enrichmentId)).toHaveLength(1);
    expect(after.value!.flags.map((f) => f.code)).not.toContain('FIRST_INVOICE');
    // The record is on the topic before its batch commits (sent, then committed): wait for the rows.
    const now = await eventually('the batch committed', async () => ((await state(account)).assessments.length >= 2 ? state(account) : undefined));
    expect(now.assessments.map((a) => a.enrichment_id)).toEqual([twice.enrichmentId, next.enrichmentId]);
    // published_at is now(), the transaction's start: equal stamps prove the copies were in one batch.
    expect(now.assessments[0].published_at).toEqual(now.assessments[1].published_at);
    expect(now.history).toHaveLength(2);
  });

  it('replaying the whole topic after an offset reset publishes nothing new', async () => {
    const account = uniqueName('acc');
    const invoices = [monthlyInvoice(account, 0, 100_000), monthlyInvoice(account, 1, 150_000), monthlyInvoice(account, 2, 150_000)];
    await h.publishEnriched(...invoices);
    await h.assessed.waitFor(3, (r) => r.value?.accountId === account);
    await eventually('all three marked published', async () => (await state(account)).assessments.every((a) => a.published_at !== null) || undefined);
    const before = await state(account);
    const publishedBefore = h.assessed.records.length;

    const config = h.running.ctx.config;
    const groupId = `${config.TOPIC_NAMESPACE}.risk-scorer.assess`;
    await h.running.stop();
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.resetOffsets({ groupId, topic: topicName(topics.enriched, config.TOPIC_NAMESPACE), earliest: true });
    } finally {
      await admin.disconnect();
    }
    h.running = await startService(riskScorer, config);

    const sentinel = monthlyInvoice(account, 3, 150_000);
    await h.publishEnriched(sentinel);
    await h.assessed.waitFor(1, (r) => r.value?.enriched.enrichmentId === sentinel.enrichmentId);
    await eventually('the scorer to have re-read every partition to its end', () => caughtUp(groupId, topicName(topics.enriched, config.TOPIC_NAMESPACE)));

    // Every record of the earlier tests was replayed too; only the sentinel is new.
    expect(h.assessed.records.length).toBe(publishedBefore + 1);
    const after = await state(account);
    expect(after.history.filter((r) => r.invoice_id !== sentinel.invoice.invoiceId)).toEqual(before.history);
    expect(after.assessments.filter((r) => r.enrichment_id !== sentinel.enrichmentId)).toEqual(before.assessments);
  });

  it('a replay after a publish that was never acknowledged re-emits the identical assessment', async () => {
    const account = uniqueName('acc');
    const enriched = monthlyInvoice(account, 0, 100_000);
    await h.publishEnriched(enriched);
    const [original] = await h.assessed.waitFor(1, (r) => r.value?.enriched.enrichmentId === enriched.enrichmentId);
    await eventually('marked published', async () => (await state(account)).assessments[0]?.published_at);

    // As if the scorer had stopped between its database commit and the broker's ack.
    await h.running.ctx.db('assessments').where('enrichment_id', enriched.enrichmentId).update({ published_at: null });
    await h.publishEnriched(enriched);
    const both = await h.assessed.waitFor(2, (r) => r.value?.enriched.enrichmentId === enriched.enrichmentId);

    expect(both[1].value).toEqual(original.value);
    expect(both[1].value!.assessmentId).toBe(original.value!.assessmentId);
    expect(both[1].value!.assessedAt).toBe(original.value!.assessedAt);
    await eventually('marked published again', async () => (await state(account)).assessments[0]?.published_at);
    expect((await state(account)).history).toHaveLength(1);
  });
});
