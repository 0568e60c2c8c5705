import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde, deadLetterName, topicName, topics } from '@invoice-signal/events';
import { serviceNames } from '@invoice-signal/local-stack';
import { eventually, signed, stackEndpoints, stripeEvent, stripeInvoice, SystemUnderTest, TopicReader, uniqueName } from '@invoice-signal/testkit';

const invoices = 120;
const paidEvery = 3;

/**
 * Postgres going away under every consumer, many times, while invoices stream: each outage
 * terminates every connection of one service's database and refuses new ones for a moment (what
 * the clients see of a restart). A valid record is retried until the database is back: nothing is
 * dead-lettered, nothing is lost, no invoice is announced twice.
 */
describe('database outages under every consumer', () => {
  const run = uniqueName('dbout');
  let system: SystemUnderTest;
  const admin = new pg.Client({ connectionString: stackEndpoints().DATABASE_URL });

  beforeAll(async () => {
    await admin.connect();
    system = await SystemUnderTest.start({ namespace: run, env: { FALLBACK_CSM_ID: `csm_${run}`, LOG_LEVEL: 'warn' } });
  }, 180_000);
  afterAll(async () => {
    await system?.stop();
    await admin.end();
  });

  /** Kills every connection to the database and refuses new ones for `ms`. */
  async function outage(database: string, ms: number) {
    await admin.query(`alter database ${admin.escapeIdentifier(database)} allow_connections false`);
    try {
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
      await sleep(ms);
    } finally {
      await admin.query(`alter database ${admin.escapeIdentifier(database)} allow_connections true`);
    }
  }

  /** Like a vendor: retried until 2xx (the gateway answers 503 while its own database is away). */
  async function deliver(event: Record<string, unknown>) {
    const payload = JSON.stringify(event);
    await eventually('a 2xx from the gateway', async () => {
      const res = await fetch(`${system.url('ingest-gateway')}/api/webhooks/billing/stripe`, { method: 'POST', headers: signed(payload, { secret: system.secrets.STRIPE_WEBHOOK_SECRET }), body: payload }).catch(() => null);
      return res?.ok ? true : undefined;
    }, { timeoutMs: 60000, intervalMs: 200 });
  }

  it('retries every valid record through the outages and dead-letters none', async () => {
    const databases = [...system.databaseUrls().values()].map((u) => decodeURIComponent(new URL(u).pathname.slice(1)));
    expect(databases).toHaveLength(serviceNames.length);
    let streaming = true;
    const outages = (async () => {
      let count = 0;
      for (let i = 0; streaming || count < databases.length * 2; i++) {
        await sleep(700);
        await outage(databases[i % databases.length], 600);
        count += 1;
      }
      return count;
    })();

    const sent: string[] = [];
    for (let i = 0; i < invoices; i++) {
      const invoice = stripeInvoice({ customer: `cus_${run}_${i % 7}` });
      sent.push(`stripe:${invoice.id}`);
      const deliveries = [deliver(stripeEvent('invoice.finalized', invoice))];
      if (i % paidEvery === 0) deliveries.push(deliver(stripeEvent('invoice.paid', { ...invoice, status: 'paid', amount_paid: invoice.amount_due, amount_remaining: 0 }, { created: 1_762_000_500 })));
      await Promise.all(deliveries);
      await sleep(50);
    }
    streaming = false;
    const outageCount = await outages;

    const serde = new AvroSerde({ url: stackEndpoints().SCHEMA_REGISTRY_URL, namespace: run });
    const notifications = await TopicReader.open(topics.notifications, serde);
    const statuses = await TopicReader.open(topics.paymentStatus, serde);
    const dlqs = await Promise.all(Object.values(topics).map((spec) => TopicReader.openRaw(deadLetterName(topicName(spec, run)))));
    try {
      const announced = () => {
        const ids = new Map<string, Set<string>>();
        for (const r of notifications.records) if (r.value?.kind === 'invoice_issued') ids.set(r.value.invoiceId, (ids.get(r.value.invoiceId) ?? new Set()).add(r.value.id));
        return ids;
      };
      const issued = await eventually('every invoice announced', () => (sent.every((id) => announced().has(id)) ? announced() : undefined), { timeoutMs: 90000, intervalMs: 500 })
        .catch((error: Error) => {
          const missing = sent.filter((id) => !announced().has(id));
          const warnings = serviceNames.flatMap((name) => system.output(name).split('\n').filter((l) => /"level":(40|50|60)/.test(l)).slice(-5).map((l) => `${name}: ${l.slice(0, 400)}`));
          const dead = dlqs.flatMap((d) => d.records.map((r) => `${r.headers['dlq.original.topic']}: ${r.headers['dlq.error.code']} ${r.headers['dlq.error.message']}`));
          throw new Error(`${error.message}: ${missing.length} of ${invoices} missing (${missing.slice(0, 3).join(', ')}); dead letters: ${dead.join(' | ') || 'none'}\n${warnings.join('\n')}`);
        });
      await eventually('every paid invoice paid on the status topic', () => {
        const latest = new Map(statuses.records.map((r) => [r.key, r.value?.status]));
        return sent.filter((_, i) => i % paidEvery === 0).every((id) => latest.get(id) === 'paid') ? true : undefined;
      }, { timeoutMs: 60000, intervalMs: 500 });
      await sleep(2000); // a late dead letter would show up by now
      console.log(`${outageCount} outages across ${databases.length} databases; ${invoices} invoices announced; dead letters: ${dlqs.map((d) => d.records.length).join(' / ')}`);
      expect(dlqs.flatMap((d) => d.records.map((r) => `${r.headers['dlq.original.topic']}: ${r.headers['dlq.error.message']}`))).toEqual([]);
      expect([...issued.values()].every((ids) => ids.size === 1)).toBe(true);
      expect(outageCount).toBeGreaterThanOrEqual(databases.length * 2);
    } finally {
      await Promise.all([notifications.close(), statuses.close(), ...dlqs.map((d) => d.close())]);
    }
  }, 300_000);
});
