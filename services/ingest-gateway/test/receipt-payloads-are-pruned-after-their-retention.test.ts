import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import type { RunningService } from '@invoice-signal/runtime';
import { eventually, uniqueName, type Received, type TopicReader } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { counterValue, deleteNamespaceTopics, openInvoiceReader, startGateway } from './support/gateway.ts';
import { postStripe, stripeEvent, stripeInvoice } from './support/stripe-payloads.ts';

const run = promisify(execFile);
const replayCli = new URL('../src/cli/replay.ts', import.meta.url).pathname;
const job = 'ingest-gateway.receipt-retention';

/**
 * The retention job through the real stack: Stripe deliveries stored by the gateway in real
 * Postgres, then made older than the retention (their received_at moved back), the job running
 * by itself every 200 ms in batches of 2, the replay CLI as an operator runs it.
 */
describe('raw vendor payloads leave the receipt log after their retention', () => {
  const namespace = uniqueName('retention');
  let gateway: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;
  const invoices = Array.from({ length: 5 }, () => stripeInvoice());
  const events = invoices.map((invoice) => stripeEvent('invoice.finalized', invoice));
  const [old, recent] = [events.slice(0, 3), events.slice(3)];
  const keys = (list: typeof events) => list.map((e) => `stripe:${e.id}`);
  const receipts = (list: typeof events) => gateway.ctx.db('receipts').whereIn('dedupe_key', keys(list)).orderBy('dedupe_key');
  const forInvoice = (id: unknown) => (r: Received<InvoiceEvent>) => r.value?.vendorInvoiceId === id;
  const runs = (outcome: string) => counterValue(gateway.managementUrl, 'job_runs_total', { job, outcome });
  const prunedTotal = async () => {
    const text = await (await fetch(`${gateway.managementUrl}/metrics`)).text();
    return Number(/^ingest_receipt_payloads_pruned_total (\d+)$/m.exec(text)?.[1]);
  };

  beforeAll(async () => {
    gateway = await startGateway(namespace, { RECEIPT_PAYLOAD_RETENTION_DAYS: '30', RECEIPT_PRUNE_INTERVAL_MS: '200', RECEIPT_PRUNE_BATCH_SIZE: '2' });
    reader = await openInvoiceReader(namespace);
    for (const event of events) expect(await (await postStripe(gateway.url, event)).json()).toEqual({ received: true, outcome: 'accepted' });
    await reader.waitFor(5, (r) => invoices.some((i) => forInvoice(i.id)(r)));
  });
  afterAll(async () => {
    await reader?.close();
    await gateway?.stop();
    await deleteNamespaceTopics(namespace);
  });

  it('prunes the payloads of receipts older than the retention, batch after batch, and keeps the recent ones', async () => {
    expect((await receipts(events)).map((r) => r.raw_payload)).toEqual(events.map(() => expect.stringContaining('billing@acme.test')));
    await gateway.ctx.db.raw(`update receipts set received_at = now() - interval '31 days' where dedupe_key = any(?)`, [keys(old)]);
    await gateway.ctx.db.raw(`update receipts set received_at = now() - interval '29 days' where dedupe_key = any(?)`, [keys(recent)]);

    const pruned = await eventually('the old payloads pruned', async () => {
      const rows = await receipts(old);
      return rows.every((r) => r.payload_pruned_at) ? rows : undefined;
    });
    for (const [i, row] of pruned.entries()) {
      expect(row.raw_payload).toBeNull();
      // What dedupe, replay and the mapping of later events read stays.
      expect(row).toMatchObject({ dedupe_key: keys(old)[i], source: 'stripe', vendor_event_id: old[i].id, invoice_id: expect.stringMatching(/^stripe:in_/), event_type: 'issued' });
      expect(row.event).toEqual(reader.records.find(forInvoice(row.event.vendorInvoiceId))!.value);
    }
    // Later runs find nothing more: the recent receipts keep their payloads.
    const idle = await runs('idle');
    await eventually('two more runs', async () => (await runs('idle')) >= idle + 2);
    // Three payloads in batches of two: two runs that pruned something, each its own transaction.
    expect(await runs('done')).toBe(2);
    expect(await prunedTotal()).toBe(3);
    for (const row of await receipts(recent)) {
      expect(row.payload_pruned_at).toBeNull();
      expect(row.raw_payload).toContain('billing@acme.test');
    }
  });

  it('still knows a pruned delivery: the vendor sending it again is a duplicate and publishes nothing', async () => {
    const [again] = old;
    const res = await postStripe(gateway.url, again);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'duplicate' });
    const marker = stripeInvoice();
    await postStripe(gateway.url, stripeEvent('invoice.finalized', marker));
    await reader.waitFor(1, forInvoice(marker.id));
    expect(reader.records.filter(forInvoice(invoices[0].id))).toHaveLength(1);
    expect((await receipts([again]))[0].raw_payload).toBeNull();
  });

  it('replay republishes pruned receipts unchanged from their kept canonical events, and says their payloads were pruned', async () => {
    const since = new Date(Date.now() - 40 * 86_400_000);
    const env = { ...process.env, TOPIC_NAMESPACE: namespace, INGEST_GATEWAY_DATABASE_URL: gateway.ctx.config.databaseUrl };
    const { stdout, stderr } = await run(process.execPath, [replayCli, '--since', since.toISOString()], { env });
    // The five deliveries and the marker of the previous test; three of them past the retention.
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ since: since.toISOString(), republished: 6, previouslyUnpublished: 0, payloadPruned: 3 });
    expect(stderr).toContain('note: 3 of these receipts are past RECEIPT_PAYLOAD_RETENTION_DAYS: their raw vendor payloads were pruned, their canonical events were kept and have been republished unchanged (same eventIds)');
    for (const invoice of invoices.slice(0, 3)) {
      const [original, replayed] = await reader.waitFor(2, forInvoice(invoice.id));
      expect(replayed.value).toEqual(original.value);
      expect(replayed.headers.replayed).toBe('true');
    }
  });

  it('finds the payloads to prune through the partial index of kept payloads, not by scanning the pruned history', async () => {
    const { db } = gateway.ctx;
    // A year of pruned history: what the scan must not walk through on every run.
    await db.raw(`insert into receipts (source, vendor_event_id, vendor_type, dedupe_key, raw_payload, received_at, published_at, payload_pruned_at)
      select 'stripe', 'evt_hist' || i, 'invoice.paid', 'stripe:evt_hist' || i, null, now() - interval '400 days' + i * interval '1 minute', now(), now()
      from generate_series(1, 100000) as i`);
    await db.raw('analyze receipts');
    const plan = (await db.raw(`explain select id from receipts where payload_pruned_at is null and received_at < ? order by received_at limit ? for update skip locked`, [new Date(), 1000])).rows
      .map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('receipts_payload_kept_received_at');
    expect(plan).not.toMatch(/Seq Scan on receipts/);
  });
});
