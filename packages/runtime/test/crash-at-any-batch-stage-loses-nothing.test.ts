import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '@invoice-signal/events';
import { provisionTopics } from '@invoice-signal/runtime';
import { eventually, openTestBus, sampleInvoiceEvent, stackEndpoints, TopicReader, uniqueName, type TestBus } from '@invoice-signal/testkit';
import { createLedger, echoTopic, startLedgerConsumer } from './fixtures/ledger-consumer.ts';

const total = 40;

/**
 * A consumer process killed with SIGKILL at each point of a batch's life, then a new instance of
 * the same group takes over. Nothing is lost; the state is written once; the output repeats only
 * when the crash fell after the broker had it but before the database committed (downstream
 * readers dedupe by the record's own id).
 */
describe('a consumer killed in the middle of a batch', () => {
  const buses: TestBus[] = [];
  afterAll(async () => Promise.all(buses.map((b) => b.close())));

  async function crashAt(stage: 'handled' | 'produced' | 'committed') {
    const bus = await openTestBus(`crash_${stage}`, [topics.invoiceEvents]);
    buses.push(bus);
    const admin = bus.kafka.admin();
    await admin.connect();
    await provisionTopics(admin, [echoTopic], { namespace: bus.namespace, partitions: 1 });
    await admin.disconnect();
    await createLedger(bus.db);
    const groupId = uniqueName('group');
    const prefix = `${stage}_`;
    for (let i = 0; i < total; i += 5) {
      await bus.publisher.publish(topics.invoiceEvents, Array.from({ length: 5 }, (_, j) => ({ key: `k${i + j}`, value: sampleInvoiceEvent({ eventId: `${prefix}${i + j}`, invoiceId: `stripe:${prefix}${i + j}` }) })));
    }

    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', join(import.meta.dirname, 'fixtures', 'crash-at-stage.ts')], {
      env: { ...process.env, ...stackEndpoints(), TEST_NAMESPACE: bus.namespace, TEST_DATABASE_URL: bus.databaseUrl, TEST_GROUP: groupId, CRASH_STAGE: stage },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    const [, signal] = await once(child, 'exit');
    expect(signal, output).toBe('SIGKILL');
    expect(output).toContain(`crashing at ${stage} of batch 2`);
    const own = bus.db;
    const before = Number((await own('applied').count({ n: '*' }))[0].n);

    const killedAt = Date.now();
    let resumedAt = 0;
    const consumer = await startLedgerConsumer(bus, groupId, (e) => {
      if (e.stage === 'handled' && !resumedAt) resumedAt = Date.now();
    });
    const echo = await TopicReader.open(echoTopic, bus.serde);
    try {
      await eventually('every event applied', async () => Number((await own('applied').count({ n: '*' }))[0].n) === total, { timeoutMs: 40000 });
      const echoed = await echo.waitFor(total, (r) => r.value!.eventId.startsWith(prefix));
      const ids = echoed.filter((r) => r.value!.eventId.startsWith(prefix)).map((r) => r.value!.eventId);
      console.log(`crash at ${stage}: ${before} applied before the crash; the new instance took over ${((resumedAt - killedAt) / 1000).toFixed(1)} s after the kill; ${ids.length} echoes for ${total} events`);
      return { before, ids, rows: await own('applied').orderBy('seq').pluck('event_id') };
    } finally {
      await consumer.stop();
      await echo.close();
    }
  }

  const expected = (stage: string) => Array.from({ length: total }, (_, i) => `${stage}_${i}`);

  it('after its handler ran but before anything was sent: each event applied and sent once', async () => {
    const { ids, rows } = await crashAt('handled');
    expect(rows).toEqual(expected('handled'));
    expect(ids.sort()).toEqual(expected('handled').sort());
  }, 90_000);

  it('after the broker acknowledged the output but before the database committed: applied once, the batch sent again', async () => {
    const { ids, rows } = await crashAt('produced');
    expect(rows).toEqual(expected('produced'));
    expect(new Set(ids)).toEqual(new Set(expected('produced')));
    expect(ids.length).toBeGreaterThan(total); // the crashed batch's output is on the topic twice
  }, 90_000);

  it('after the database committed but before the offset commit: the replayed batch changes and sends nothing', async () => {
    const { before, ids, rows } = await crashAt('committed');
    expect(before).toBeGreaterThan(0);
    expect(rows).toEqual(expected('committed'));
    expect(ids.sort()).toEqual(expected('committed').sort());
  }, 90_000);
});
