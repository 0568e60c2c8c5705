import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import type { RunningService } from '@invoice-signal/runtime';
import { outboundMessage, soapHeaders, uniqueName, type Received, type TopicReader } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { bearer, deleteNamespaceTopics, openInvoiceReader, secrets, startGateway } from './support/gateway.ts';
import { uid } from './support/stripe-payloads.ts';

const iso = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : ms);

describe('date-only due dates end in the billing zone; zone-less date-times are refused', () => {
  const namespace = uniqueName('dates');
  let gateway: RunningService<Config>;
  let reader: TopicReader<InvoiceEvent>;
  const forInvoice = (id: string) => (r: Received<InvoiceEvent>) => r.value?.invoiceId === id;
  const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${gateway.url}${path}`, { method: 'POST', headers, body });
  const upload = (rows: unknown[]) => post('/api/invoices/upload', JSON.stringify(rows), { 'content-type': 'application/json', ...bearer });
  const canonical = (body: unknown) => post('/api/webhooks/billing/invoice', JSON.stringify(body), { 'content-type': 'application/json', ...bearer });
  // The endpoint token Salesforce deliveries carry once main's sender checks (issue 14) are merged; ignored before.
  const sfEndpoint = `/api/webhooks/billing/salesforce?token=${(secrets as Record<string, string | undefined>).SALESFORCE_ENDPOINT_TOKEN ?? ''}`;
  const salesforce = (id: string, fields: Record<string, string>) => post(sfEndpoint, outboundMessage(secrets.SALESFORCE_ORG_ID, [{
    type: 'blng__Invoice__c',
    fields: { Id: id, blng__Account__c: '0015g00000AcmeAAA', blng__InvoiceStatus__c: 'Posted', blng__TotalAmount__c: '100.00', CurrencyIsoCode: 'USD', LastModifiedDate: '2026-11-01T09:30:00.000Z', ...fields },
  }]), soapHeaders);

  beforeAll(async () => {
    gateway = await startGateway(namespace, {
      RATE_LIMIT_UPLOAD: '1000', BILLING_TIME_ZONE: 'Europe/Paris',
      SALESFORCE_BILLING_TIME_ZONE: 'America/Los_Angeles', UPLOAD_BILLING_TIME_ZONE: 'America/New_York',
    });
    reader = await openInvoiceReader(namespace);
  });
  afterAll(async () => {
    await reader?.close();
    await gateway?.stop();
    await deleteNamespaceTopics(namespace);
  });

  it('an upload due 2026-12-01 is due until 23:59:59.999 in New York (UPLOAD_BILLING_TIME_ZONE)', async () => {
    const id = uid('INV');
    const res = await upload([{ invoiceId: id, currency: 'USD', total: '10.00', issuedAt: '2026-11-01', dueAt: '2026-12-01' }]);
    expect(res.status).toBe(200);
    const [record] = await reader.waitFor(1, forInvoice(`manual:${id}`));
    expect({ dueAt: iso(record.value!.dueAt), issuedAt: iso(record.value!.issuedAt), dueDate: record.value!.dueDate, dueTimeZone: record.value!.dueTimeZone })
      .toEqual({ dueAt: '2026-12-02T04:59:59.999Z', issuedAt: '2026-11-01T04:00:00.000Z', dueDate: '2026-12-01', dueTimeZone: 'America/New_York' });
  });

  it('a Salesforce invoice due 2026-12-01 is due until 23:59:59.999 in Los Angeles (SALESFORCE_BILLING_TIME_ZONE)', async () => {
    const id = uid('a0x');
    expect((await salesforce(id, { blng__InvoiceDate__c: '2026-11-01', blng__DueDate__c: '2026-12-01' })).status).toBe(200);
    const [record] = await reader.waitFor(1, forInvoice(`salesforce:${id}`));
    expect({ dueAt: iso(record.value!.dueAt), issuedAt: iso(record.value!.issuedAt), dueDate: record.value!.dueDate, dueTimeZone: record.value!.dueTimeZone })
      .toEqual({ dueAt: '2026-12-02T07:59:59.999Z', issuedAt: '2026-11-01T07:00:00.000Z', dueDate: '2026-12-01', dueTimeZone: 'America/Los_Angeles' });
  });

  it('canonical JSON may send a date-only dueAt, read in BILLING_TIME_ZONE (Paris)', async () => {
    const body = { source: 'other', vendorEventId: uid('ext'), vendorInvoiceId: uid('X'), type: 'issued', currency: 'EUR', totalMinor: 100, occurredAt: '2026-11-20T10:00:00+01:00', dueAt: '2026-12-01' };
    expect((await canonical(body)).status).toBe(202);
    const [record] = await reader.waitFor(1, forInvoice(`other:${body.vendorInvoiceId}`));
    expect([iso(record.value!.dueAt), record.value!.dueDate, record.value!.dueTimeZone, iso(record.value!.occurredAt)])
      .toEqual(['2026-12-01T22:59:59.999Z', '2026-12-01', 'Europe/Paris', '2026-11-20T09:00:00.000Z']);
  });

  it('a date-time without Z or an offset is a 400 naming the field, from every source, and nothing is published', async () => {
    const zoneless = '2026-12-01T10:00:00';
    const up = await upload([{ invoiceId: uid('INV'), currency: 'USD', total: '1', issuedAt: '2026-11-01', dueAt: zoneless }]);
    expect(up.status).toBe(400);
    expect(await up.json()).toMatchObject({ field: 'dueAt', errors: [{ row: 1, field: 'dueAt', reason: expect.stringContaining('has no time zone') }] });

    const sfId = uid('a0x');
    const sf = await salesforce(sfId, { blng__DueDate__c: zoneless });
    expect(sf.status).toBe(400);
    expect(await sf.json()).toMatchObject({ field: expect.stringMatching(/\.sObject\.blng__DueDate__c$/), detail: expect.stringContaining(`"${zoneless}" has no time zone`) });

    const body = { source: 'other', vendorEventId: uid('ext'), vendorInvoiceId: uid('X'), type: 'issued', currency: 'EUR', totalMinor: 100, occurredAt: zoneless };
    const ca = await canonical(body);
    expect(ca.status).toBe(400);
    expect(await ca.json()).toMatchObject({ field: 'occurredAt', detail: expect.stringContaining('has no time zone') });

    // The same deliveries with a zone go through: the refusal was about the zone alone.
    const fixed = await canonical({ ...body, occurredAt: `${zoneless}Z` });
    expect(fixed.status).toBe(202);
    await reader.waitFor(1, forInvoice(`other:${body.vendorInvoiceId}`));
    expect(reader.records.filter(forInvoice(`salesforce:${sfId}`))).toHaveLength(0);
  });
});
