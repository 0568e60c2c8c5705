import { describe, expect, it } from 'vitest';
import { HttpProblem } from '@invoice-signal/runtime';
import { decideSalesforceNotification } from './salesforce-mapping.ts';
import { UploadRejected, uploadDeliveries } from './upload-rows.ts';

const now = Date.UTC(2026, 10, 24);
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? ms : new Date(ms).toISOString());

const uploadRow = (values: Record<string, string>, zone: string) =>
  uploadDeliveries([{ row: 2, values: { invoiceId: 'INV-1', currency: 'EUR', total: '10', issuedAt: '2026-11-01', ...values } }], now, zone)[0].event!;

const salesforceInvoice = (fields: Record<string, string>, zone: string) => decideSalesforceNotification({
  id: 'n1', sObjectType: 'blng__Invoice__c',
  fields: { Id: 'a0x1', blng__InvoiceStatus__c: 'Posted', blng__TotalAmount__c: '100.00', CurrencyIsoCode: 'USD', LastModifiedDate: '2026-11-01T09:00:00.000Z', ...fields },
}, { last: null, issued: false }, now, zone).event!;

describe('a date-only due date runs to the end of that day in the billing zone', () => {
  it.each([
    { zone: 'UTC', dueAt: '2026-12-01T23:59:59.999Z', issuedAt: '2026-11-01T00:00:00.000Z' },
    { zone: 'America/New_York', dueAt: '2026-12-02T04:59:59.999Z', issuedAt: '2026-11-01T04:00:00.000Z' },
    { zone: 'America/Los_Angeles', dueAt: '2026-12-02T07:59:59.999Z', issuedAt: '2026-11-01T07:00:00.000Z' },
    { zone: 'Europe/Paris', dueAt: '2026-12-01T22:59:59.999Z', issuedAt: '2026-10-31T23:00:00.000Z' },
    { zone: 'Asia/Tokyo', dueAt: '2026-12-01T14:59:59.999Z', issuedAt: '2026-10-31T15:00:00.000Z' },
  ])('upload and Salesforce in $zone: due $dueAt, issued (start of day) $issuedAt', ({ zone, dueAt, issuedAt }) => {
    const upload = uploadRow({ dueAt: '2026-12-01', periodStart: '2026-11-01' }, zone);
    expect({ dueAt: iso(upload.dueAt), dueDate: upload.dueDate, dueTimeZone: upload.dueTimeZone, issuedAt: iso(upload.issuedAt), periodStart: iso(upload.periodStart) })
      .toEqual({ dueAt, dueDate: '2026-12-01', dueTimeZone: zone, issuedAt, periodStart: issuedAt });
    const sf = salesforceInvoice({ blng__DueDate__c: '2026-12-01', blng__InvoiceDate__c: '2026-11-01', blng__TargetDate__c: '2026-11-01' }, zone);
    expect({ dueAt: iso(sf.dueAt), dueDate: sf.dueDate, dueTimeZone: sf.dueTimeZone, issuedAt: iso(sf.issuedAt), periodStart: iso(sf.periodStart) })
      .toEqual({ dueAt, dueDate: '2026-12-01', dueTimeZone: zone, issuedAt, periodStart: issuedAt });
  });

  it('takes a due date-time with Z or an offset as the instant it names, with no dueDate', () => {
    const upload = uploadRow({ dueAt: '2026-12-01T10:00:00-05:00' }, 'Europe/Paris');
    expect([iso(upload.dueAt), upload.dueDate, upload.dueTimeZone]).toEqual(['2026-12-01T15:00:00.000Z', null, null]);
    const sf = salesforceInvoice({ blng__DueDate__c: '2026-12-01T10:00:00Z' }, 'Europe/Paris');
    expect([iso(sf.dueAt), sf.dueDate, sf.dueTimeZone]).toEqual(['2026-12-01T10:00:00.000Z', null, null]);
  });

  it('a Salesforce payment keeps the date-only due date of the invoice it applies to', () => {
    const invoice = salesforceInvoice({ blng__DueDate__c: '2026-12-01' }, 'America/Los_Angeles');
    const payment = decideSalesforceNotification({
      id: 'n2', sObjectType: 'blng__Payment__c',
      fields: { Id: 'p1', blng__Invoice__c: 'a0x1', blng__Amount__c: '100.00', blng__Status__c: 'Posted', CurrencyIsoCode: 'USD', LastModifiedDate: '2026-11-02T00:00:00Z' },
    }, { last: invoice, issued: true }, now, 'UTC').event!;
    expect([payment.dueAt, payment.dueDate, payment.dueTimeZone]).toEqual([invoice.dueAt, '2026-12-01', 'America/Los_Angeles']);
  });
});

describe('a date-time without a zone is refused, naming the field', () => {
  it.each(['issuedAt', 'dueAt', 'periodStart', 'periodEnd', 'occurredAt'])('upload column %s', (column) => {
    const attempt = () => uploadRow({ [column]: '2026-12-01T10:00:00' }, 'UTC');
    expect(attempt).toThrow(UploadRejected);
    try {
      attempt();
    } catch (error) {
      expect((error as UploadRejected).problems).toEqual([{ row: 2, field: column, reason: expect.stringMatching(/"2026-12-01T10:00:00" has no time zone/) }]);
      expect((error as UploadRejected).status).toBe(400);
    }
  });

  it.each(['blng__DueDate__c', 'blng__InvoiceDate__c', 'blng__TargetDate__c', 'LastModifiedDate'])('Salesforce field %s', (name) => {
    const attempt = () => salesforceInvoice({ [name]: '2026-12-01T10:00:00' }, 'UTC');
    expect(attempt).toThrow(HttpProblem);
    expect(attempt).toThrow(new RegExp(`^Notification\\[n1\\]\\.sObject\\.${name}: date-time "2026-12-01T10:00:00" has no time zone`));
  });
});
