import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import { createDb, type Knex, type RunningService } from '@invoice-signal/runtime';
import { uniqueName, type Received, type TopicReader } from '@invoice-signal/testkit';
import { createReceiptLog } from '../src/adapters/receipt-log.ts';
import type { Config } from '../src/config.ts';
import { canonicalEvent, type Delivery } from '../src/domain/delivery.ts';
import { decideStripeEvent } from '../src/domain/stripe-mapping.ts';
import { createIngestor } from '../src/ingest/accept-deliveries.ts';
import { countReceiptStatements } from './support/database-counters.ts';
import { deleteNamespaceTopics, openInvoiceReader, startGateway } from './support/gateway.ts';
import { postStripe, stripeEvent, stripeInvoice, uid } from './support/stripe-payloads.ts';

type Answer = { status: number; outcome?: string; code?: string; retryAfter: string | null };

describe('group commit: concurrent deliveries share statements, copies stay one receipt', () => {
  const namespace = uniqueName('group');
  let gateway: RunningService<Config>;
  let second: RunningService<Config>;
  let impatient: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;
  let db: Knex;
  const forInvoice = (id: unknown) => (r: Received<InvoiceEvent>) => r.value?.vendorInvoiceId === id;

  beforeAll(async () => {
    gateway = await startGateway(namespace);
    const url = gateway.ctx.config.databaseUrl;
    // Replicas behind one load balancer: the same receipt database and topics.
    second = await startGateway(namespace, {}, url);
    impatient = await startGateway(namespace, { PUBLISH_TIMEOUT_MS: '600' }, url);
    reader = await openInvoiceReader(namespace);
    db = createDb(url);
  });
  afterAll(async () => {
    await reader?.close();
    await db?.destroy();
    await impatient?.stop();
    await second?.stop();
    await gateway?.stop();
    await deleteNamespaceTopics(namespace);
  });

  const answer = async (res: Response): Promise<Answer> => {
    const body = (await res.json()) as { outcome?: string; code?: string };
    return { status: res.status, outcome: body.outcome, code: body.code, retryAfter: res.headers.get('retry-after') };
  };

  /** What a gateway instance that claimed the delivery and then stopped answering leaves behind. */
  async function claimedByAnotherInstance(event: Record<string, unknown>, claimMs: number) {
    const decision = decideStripeEvent(event as never, Date.now());
    if (decision.kind !== 'invoice') throw new Error('expected an invoice event');
    const inserted = await createReceiptLog(db).insertClaimed([{ delivery: decision.delivery, raw: JSON.stringify(event), contentType: 'application/json' }], claimMs);
    return inserted.get(`stripe:${event.id}`)!;
  }

  async function unpublished(ids: string[]): Promise<number> {
    const client = new pg.Client({ connectionString: gateway.ctx.config.databaseUrl });
    await client.connect();
    try {
      return (await client.query('select count(*) as n from receipts where vendor_event_id = any($1) and published_at is null', [ids])).rows[0].n * 1;
    } finally {
      await client.end();
    }
  }

  it('answers 50 concurrent distinct deliveries 200 with a handful of statements, and all 50 records are on the topic', async () => {
    const statements = await countReceiptStatements(gateway.ctx.config.databaseUrl);
    // Vendors keep connections open: the 50 deliveries arrive on 50 warm connections at once.
    await Promise.all(Array.from({ length: 50 }, () => fetch(`${gateway.url}/health/live`).then((r) => r.text())));
    const invoices = Array.from({ length: 50 }, () => stripeInvoice());
    const answers = await Promise.all(invoices.map(async (inv) => answer(await postStripe(gateway.url, stripeEvent('invoice.finalized', inv)))));
    expect(answers.map((a) => [a.status, a.outcome])).toEqual(invoices.map(() => [200, 'accepted']));
    // Answered 200 only after the broker's ack: every record is there.
    const ids = new Set(invoices.map((i) => i.id));
    await reader.waitFor(50, (r) => ids.has(r.value!.vendorInvoiceId), 10_000);
    const { inserts, updates, transactions } = await statements.counts();
    console.log(`50 concurrent deliveries: ${inserts} receipts insert(s), ${updates} receipts update(s), ${transactions} transaction(s) writing receipts`);
    // One insert per delivery (and two commits per delivery) before group commit.
    expect(inserts).toBeGreaterThanOrEqual(1);
    expect(inserts).toBeLessThanOrEqual(12);
    expect(updates).toBeLessThanOrEqual(12); // only the published_at marks: new receipts are claimed by their insert
    expect(transactions).toBe(inserts + updates); // every statement its own short transaction, none held open
  });

  it('fails only the delivery the database refuses; the rest of its group is stored and published', async () => {
    const ingestor = createIngestor({ receipts: createReceiptLog(gateway.ctx.db), publisher: gateway.ctx.publisher, publishTimeoutMs: 5000 });
    const delivery = (invoiceNumber: string): Delivery => {
      const vendorEventId = uid('ext');
      const base = { source: 'other' as const, vendorEventId, vendorInvoiceId: uid('X'), type: 'issued' as const, currency: 'EUR', totalMinor: 100, occurredAt: Date.now(), receivedAt: Date.now() };
      return { source: 'other', vendorEventId, vendorType: 'canonical.issued', event: canonicalEvent(base, { invoiceNumber }) };
    };
    // Handed in in the same turn of the event loop: one group. Postgres refuses a NUL in jsonb text.
    const batch = [delivery('N-1'), delivery('N-2'), delivery('bad\u0000number'), delivery('N-4'), delivery('N-5')];
    const results = await Promise.allSettled(batch.map((d) => ingestor.acceptOne(d, { text: JSON.stringify(d.event), contentType: 'application/json' })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual(Array(4).fill('accepted'));
    const ids = new Set(batch.map((d) => d.event!.eventId));
    await reader.waitFor(4, (r) => ids.has(r.value!.eventId));
    expect(await unpublished(batch.map((d) => d.vendorEventId))).toBe(0);
    expect(await db('receipts').where({ vendor_event_id: batch[2].vendorEventId }).first()).toBeUndefined();
  });

  it('publishes concurrent copies of one delivery once, on whichever instance they land: one accepted, the others duplicate', async () => {
    const invoice = stripeInvoice();
    const event = stripeEvent('invoice.paid', invoice);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => postStripe((i % 2 ? second : gateway).url, event).then(answer)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.map((a) => a.outcome).sort()).toEqual(['accepted', ...Array(11).fill('duplicate')]);
    // A marker published after the copies proves the copies had their chance to arrive.
    const marker = stripeInvoice();
    await postStripe(gateway.url, stripeEvent('invoice.finalized', marker));
    await reader.waitFor(1, forInvoice(marker.id));
    expect(reader.records.filter(forInvoice(invoice.id))).toHaveLength(1);
  });

  it('waits while another instance holds the claim, answers duplicate once it marked the receipt published, and publishes nothing', async () => {
    const invoice = stripeInvoice();
    const event = stripeEvent('invoice.finalized', invoice);
    const id = await claimedByAnotherInstance(event, 30_000);
    const started = Date.now();
    const pending = postStripe(gateway.url, event).then(answer);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await db('receipts').where({ id }).update({ published_at: db.fn.now() }); // the other instance got its ack
    expect(await pending).toMatchObject({ status: 200, outcome: 'duplicate' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    const marker = stripeInvoice();
    await postStripe(gateway.url, stripeEvent('invoice.finalized', marker));
    await reader.waitFor(1, forInvoice(marker.id));
    expect(reader.records.filter(forInvoice(invoice.id))).toHaveLength(0);
  });

  it('takes over a claim that expired (its instance died) and publishes the delivery', async () => {
    const invoice = stripeInvoice();
    const event = stripeEvent('invoice.finalized', invoice);
    await claimedByAnotherInstance(event, 1000);
    const started = Date.now();
    expect(await postStripe(gateway.url, event).then(answer)).toMatchObject({ status: 200, outcome: 'accepted' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(700); // it waited for the claim to run out
    const [record] = await reader.waitFor(1, forInvoice(invoice.id));
    expect(record.value!.eventId).toBe(`stripe:${event.id}`);
    expect(await unpublished([String(event.id)])).toBe(0);
  });

  it('answers 503 when the claim outlasts PUBLISH_TIMEOUT_MS, keeps the receipt, and a later retry publishes it', async () => {
    const invoice = stripeInvoice();
    const event = stripeEvent('invoice.finalized', invoice);
    await claimedByAnotherInstance(event, 2500);
    const refused = await postStripe(impatient.url, event).then(answer);
    expect(refused).toMatchObject({ status: 503, code: 'INGEST_RECEIPT_CLAIMED', retryAfter: '5' });
    expect(await unpublished([String(event.id)])).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // the vendor's retry comes later
    expect(await postStripe(impatient.url, event).then(answer)).toMatchObject({ status: 200, outcome: 'accepted' });
    await reader.waitFor(1, forInvoice(invoice.id));
    expect(await unpublished([String(event.id)])).toBe(0);
  });
});
