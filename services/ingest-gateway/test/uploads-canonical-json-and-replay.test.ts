import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import type { RunningService } from '@invoice-signal/runtime';
import { uniqueName, type Received, type TopicReader } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { bearer, counterValue, secrets, startGateway, openInvoiceReader, deleteNamespaceTopics } from './support/gateway.ts';
import { uid } from './support/stripe-payloads.ts';

const run = promisify(execFile);
const cli = (name: string) => new URL(`../src/cli/${name}.ts`, import.meta.url).pathname;

describe('manual uploads, canonical JSON and replay', () => {
  const namespace = uniqueName('upload');
  let gateway: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;
  const forInvoice = (id: string) => (r: Received<InvoiceEvent>) => r.value?.invoiceId === id;
  const upload = (body: string, contentType: string, headers: Record<string, string> = bearer) =>
    fetch(`${gateway.url}/api/invoices/upload`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });

  beforeAll(async () => {
    gateway = await startGateway(namespace, { RATE_LIMIT_UPLOAD: '1000', RATE_LIMIT_INTERNAL: '2' });
    reader = await openInvoiceReader(namespace);
  });
  afterAll(async () => {
    await reader?.close();
    await gateway?.stop();
    await deleteNamespaceTopics(namespace);
  });

  it('imports a CSV once: a re-upload of the same file creates nothing new', async () => {
    const [a, b] = [uid('INV'), uid('INV')];
    const csv = `invoiceId,accountId,customerRef,invoiceNumber,currency,total,amountPaid,status,issuedAt,dueAt\n${a},acc_acme,cus_1,"N° 1, Q4",EUR,1250.00,,issued,2026-11-01,2026-12-01\n${b},acc_kyoto,,,JPY,50000,50000,paid,2026-11-02T08:00:00Z,\n`;
    const first = await upload(csv, 'text/csv');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ rows: 2, accepted: 2, duplicates: 0, report: [{ row: 2, invoiceId: `manual:${a}`, outcome: 'accepted' }, { row: 3, invoiceId: `manual:${b}`, outcome: 'accepted' }] });
    const [ra] = await reader.waitFor(1, forInvoice(`manual:${a}`));
    expect(ra.value).toMatchObject({ source: 'manual', type: 'issued', accountId: 'acc_acme', vendorCustomerId: 'cus_1', invoiceNumber: 'N° 1, Q4', currency: 'EUR', totalMinor: 125000, amountRemainingMinor: 125000, issuedAt: Date.UTC(2026, 10, 1), dueAt: Date.UTC(2026, 11, 1, 23, 59, 59, 999), dueDate: '2026-12-01', dueTimeZone: 'UTC' });
    const [rb] = await reader.waitFor(1, forInvoice(`manual:${b}`));
    expect(rb.value).toMatchObject({ type: 'paid', currency: 'JPY', totalMinor: 50000, amountPaidMinor: 50000, amountRemainingMinor: 0, dueAt: null });

    const again = await upload(csv, 'text/csv');
    expect(await again.json()).toMatchObject({ rows: 2, accepted: 0, duplicates: 2 });
    const marker = uid('INV');
    await upload(JSON.stringify([{ invoiceId: marker, currency: 'EUR', total: '1', issuedAt: '2026-11-01' }]), 'application/json');
    await reader.waitFor(1, forInvoice(`manual:${marker}`));
    expect(reader.records.filter((r) => r.value?.invoiceId === `manual:${a}` || r.value?.invoiceId === `manual:${b}`)).toHaveLength(2);
  });

  it('refuses a file with bad rows with a per-row report (row, field, reason) and imports none of it', async () => {
    const good = uid('INV');
    const csv = `invoiceId,currency,total,issuedAt\n${good},EUR,10.00,2026-11-01\n,EUR,abc,2026-11-01\nx-2,JPY,10.5,someday\n`;
    const res = await upload(csv, 'text/csv');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({
      status: 400, field: 'invoiceId',
      errors: [
        { row: 3, field: 'invoiceId', reason: 'required' },
        { row: 3, field: 'total', reason: 'expected a decimal amount like 1234.50, got "abc"' },
        { row: 4, field: 'total', reason: '10.5 has more decimals than JPY allows (0)' },
        { row: 4, field: 'issuedAt', reason: 'expected an ISO-8601 date (2026-12-01) or date-time with a zone (2026-12-01T10:00:00Z), got "someday"' },
      ],
    });
    expect((await upload('[{"invoiceId": 1}', 'application/json')).status).toBe(400);
    expect((await upload('a;b', 'text/plain')).status).toBe(415);
    expect((await upload(csv, 'text/csv', { authorization: 'Bearer wrong-token-000' })).status).toBe(401);
    const marker = uid('INV');
    await upload(JSON.stringify({ invoices: [{ invoiceId: marker, currency: 'EUR', total: 1, issuedAt: '2026-11-01' }] }), 'application/json');
    await reader.waitFor(1, forInvoice(`manual:${marker}`));
    expect(reader.records.filter(forInvoice(`manual:${good}`))).toHaveLength(0);
  });

  it('the upload CLI sends a file with the token from the environment and prints the report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'upload-'));
    const file = join(dir, 'invoices.csv');
    const id = uid('INV');
    await writeFile(file, `invoiceId,currency,total,issuedAt\n${id},GBP,99.99,2026-11-05\n`);
    const env = { ...process.env, INGEST_API_TOKEN: secrets.INGEST_API_TOKEN };
    const first = await run(process.execPath, [cli('upload'), file, '--url', gateway.url], { env });
    expect(first.stdout).toContain('1 row(s), 1 new, 0 already imported');
    const second = await run(process.execPath, [cli('upload'), file, '--url', gateway.url], { env });
    expect(second.stdout).toContain('1 row(s), 0 new, 1 already imported');
    const [record] = await reader.waitFor(1, forInvoice(`manual:${id}`));
    expect(record.value).toMatchObject({ currency: 'GBP', totalMinor: 9999 });
  });

  it('accepts canonical JSON from an authenticated internal caller on the PRD route, and names a bad field', async () => {
    const body = { source: 'other', vendorEventId: uid('ext'), vendorInvoiceId: uid('X'), type: 'issued', currency: 'usd', totalMinor: 4200, vendorCustomerId: 'ext-cust-1', occurredAt: '2026-11-20T10:00:00Z', dueAt: Date.UTC(2026, 11, 20) };
    const post = (b: unknown, headers: Record<string, string> = bearer) => fetch(`${gateway.url}/api/webhooks/billing/invoice`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(b) });
    const res = await post(body);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ eventId: `other:${body.vendorEventId}`, invoiceId: `other:${body.vendorInvoiceId}`, outcome: 'accepted' });
    const [record] = await reader.waitFor(1, forInvoice(`other:${body.vendorInvoiceId}`));
    expect(record.value).toMatchObject({ currency: 'USD', totalMinor: 4200, amountRemainingMinor: 4200, occurredAt: Date.parse('2026-11-20T10:00:00Z'), dueAt: Date.UTC(2026, 11, 20) });
    expect((await post(body)).status).toBe(200); // duplicate
    const bad = await post({ ...body, vendorEventId: uid('ext'), totalMinor: 42.5 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'totalMinor' });
    expect((await post(body, {})).status).toBe(401);
  });

  it('replays receipts since a time from the receipt log with the same event ids', async () => {
    const since = new Date();
    const id = uid('INV');
    await upload(JSON.stringify([{ invoiceId: id, currency: 'EUR', total: '5', issuedAt: '2026-11-01' }]), 'application/json');
    const [original] = await reader.waitFor(1, forInvoice(`manual:${id}`));
    const env = { ...process.env, TOPIC_NAMESPACE: namespace, INGEST_GATEWAY_DATABASE_URL: gateway.ctx.config.databaseUrl };
    const { stdout } = await run(process.execPath, [cli('replay'), '--since', since.toISOString()], { env });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ republished: 1, previouslyUnpublished: 0 });
    const both = await reader.waitFor(2, forInvoice(`manual:${id}`));
    expect(both[1].value).toEqual(original.value);
    expect(both[1].headers.replayed).toBe('true');
  });

  it('answers 429 with Retry-After when a source goes over its rate, and counts it', async () => {
    const post = () => fetch(`${gateway.url}/api/webhooks/billing/invoice`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...bearer },
      body: JSON.stringify({ source: 'other', vendorEventId: uid('rl'), vendorInvoiceId: uid('X'), type: 'issued', currency: 'EUR', totalMinor: 1, occurredAt: Date.now() }),
    });
    const answers = await Promise.all(Array.from({ length: 10 }, post));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(5); // 2/s with a burst of 4
    expect(limited[0].headers.get('retry-after')).toBe('1');
    expect(await limited[0].json()).toMatchObject({ status: 429, code: 'INGEST_RATE_LIMITED' });
    expect(await counterValue(gateway.managementUrl, 'ingest_deliveries_total', { source: 'internal', outcome: 'rate_limited' })).toBe(limited.length);
  });
});
