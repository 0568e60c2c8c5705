import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '@invoice-signal/events';
import { eventually, TopicReader, uniqueName } from '@invoice-signal/testkit';
import { assessment, dropNamespace, prepareNamespace, type Notifier, startNotifier, Upstream } from './support/harness.ts';

describe('a record the notifier cannot use in the middle of a batch', () => {
  const namespace = uniqueName('notifier');
  let n: Notifier | undefined;
  let up: Upstream | undefined;
  let dlq: TopicReader<Buffer> | undefined;

  afterAll(async () => {
    await dlq?.close();
    await up?.close();
    await n?.stop();
    await dropNamespace(namespace);
  });

  it('goes alone to the dead-letter topic; the records around it are stored', async () => {
    await prepareNamespace(namespace);
    up = await new Upstream(namespace).open();
    dlq = await TopicReader.openRaw(`${namespace}.${topics.assessed.name}.dlq`);
    const key = 'acc_poison';
    const good = (i: number) => ({ key, value: assessment({ invoiceId: `stripe:in_poison_ok${i}`, csmId: 'csm_poison', accountId: key }) });
    // Published before the notifier starts, under one key (one partition): the group's first
    // fetch hands all six over as one batch.
    await up.assessedRecords([
      good(1), good(2),
      { key, value: assessment({ invoiceId: 'stripe:in_poison_bad', csmId: 'csm_poison', accountId: key, amountMinor: -5 }) },
      { key, value: null },
      good(3), good(4),
    ]);
    n = await startNotifier({ namespace });
    const db = n.db;
    const stored = async () => (await db('notifications').orderBy('invoice_id').pluck('invoice_id')).join(',');
    await eventually('the four valid assessments stored', async () => (await stored()) === [1, 2, 3, 4].map((i) => `stripe:in_poison_ok${i}`).join(','));
    const dead = await dlq.waitFor(2);
    expect(dead.map((d) => [d.headers['dlq.error.code'], d.offset])).toEqual([['NTF_INVALID_ASSESSMENT', expect.any(String)], ['NTF_TOMBSTONE', expect.any(String)]]);
    expect(dead[0].headers['dlq.error.message']).toContain('enriched.invoice.amountDueMinor -5');
    // Nothing else follows: the valid records were never dead-lettered.
    await n.deliver();
    expect(dlq.records).toHaveLength(2);
    expect(await stored()).not.toContain('in_poison_bad');
  });
});
