import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type CsmNotification } from '@invoice-signal/events';
import { eventually, TopicReader } from '@invoice-signal/testkit';
import { assessment, dropNamespace, token, startNotifier, Upstream, type Notifier } from './support/harness.ts';

/**
 * An operator runs a job now through the management port, with an admin token, and hears what it
 * did. The job is the one of a rolling deploy: a pod of the previous release (published_version era)
 * changed a notification without an outbox row; the sweep queues that version and its commit wakes
 * the drainer, which publishes it.
 */
describe('job runs on the management port', () => {
  let n: Notifier;
  let up: Upstream;
  let published: TopicReader<CsmNotification>;
  const drain = 'notifier.outbox.notification_outbox';
  const sweep = 'notifier.outbox-sweep';

  beforeAll(async () => {
    // No drain on a tick within the test: only the run at start and the runs asked for.
    n = await startNotifier({ env: { DELIVERY_TICK_MS: '600000' } });
    up = await new Upstream(n.namespace).open();
    published = await TopicReader.open(topics.notifications, up.serde);
    await up.assessed(assessment({ invoiceId: 'stripe:in_ops1', accountId: 'acc_ops', csmId: 'csm_ops' }));
    await eventually('the notification', async () => (await n.db('notifications').where({ invoice_id: 'stripe:in_ops1' })).length === 1);
  });
  afterAll(async () => {
    await published?.close();
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
  });

  const run = async (name: string, role?: 'csm' | 'admin') => {
    const headers = role ? { authorization: `Bearer ${await token('ops', role)}` } : undefined;
    const res = await fetch(`${n.running.managementUrl}/jobs/${name}/run`, { method: 'POST', headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('refuses a caller without an admin token, and names an unknown job', async () => {
    expect((await run(drain)).status).toBe(401);
    expect((await run(drain, 'csm')).status).toBe(401);
    const unknown = await run('notifier.no-such-job', 'admin');
    expect([unknown.status, unknown.body.detail]).toEqual([404, 'no job named notifier.no-such-job']);
  });

  it('publishes what a pod of the previous release wrote, answers done, then idle', async () => {
    await n.db('notifications').where({ invoice_id: 'stripe:in_ops1' }).update({ status: 'overdue', version: n.db.raw('version + 1') });
    expect(await run(sweep, 'admin')).toEqual({ status: 200, body: { job: sweep, outcome: 'done' } });
    const [record] = await published.waitFor(1, (r) => r.value?.invoiceId === 'stripe:in_ops1' && r.value.version === 2);
    expect(record.value?.status).toBe('overdue');
    expect(await n.db('notifications').where({ invoice_id: 'stripe:in_ops1' }).first()).toMatchObject({ version: 2, published_version: 2 });
    expect(await run(sweep, 'admin')).toEqual({ status: 200, body: { job: sweep, outcome: 'idle' } });
    expect(await run(drain, 'admin')).toEqual({ status: 200, body: { job: drain, outcome: 'idle' } });
  });
});
