import { describe, expect, it } from 'vitest';
import { rowHash, UploadRejected, uploadDeliveries } from './upload-rows.ts';

const now = Date.UTC(2026, 10, 24);

describe('upload rows', () => {
  it('maps a row to a canonical manual event with minor units', () => {
    const [d] = uploadDeliveries([{ row: 2, values: { invoiceId: 'INV-9', currency: 'jpy', total: '5000', amountPaid: '1000', issuedAt: '2026-11-01', dueAt: '2026-12-01T00:00:00Z', accountId: 'acc_1' } }], now);
    expect(d.event).toMatchObject({
      invoiceId: 'manual:INV-9', source: 'manual', type: 'issued', currency: 'JPY', totalMinor: 5000, amountPaidMinor: 1000, amountRemainingMinor: 4000,
      accountId: 'acc_1', issuedAt: Date.UTC(2026, 10, 1), dueAt: Date.UTC(2026, 11, 1), occurredAt: Date.UTC(2026, 10, 1), receivedAt: now,
    });
    expect(d.event!.eventId).toBe(`manual:${d.vendorEventId}`);
  });

  it('reports every bad field of every row and imports nothing', () => {
    const attempt = () => uploadDeliveries([
      { row: 2, values: { invoiceId: 'ok-1', currency: 'EUR', total: '10', issuedAt: '2026-11-01' } },
      { row: 3, values: { invoiceId: '', currency: 'EURO', total: '10', issuedAt: 'yesterday' } },
      { row: 4, values: { invoiceId: 'x', currency: 'JPY', total: '10.5', issuedAt: '2026-11-01', status: 'lost' } },
    ], now);
    expect(attempt).toThrow(UploadRejected);
    try { attempt(); } catch (error) {
      expect((error as UploadRejected).problems).toEqual([
        { row: 3, field: 'invoiceId', reason: 'required' },
        { row: 3, field: 'currency', reason: 'expected a 3-letter ISO 4217 code, got "EURO"' },
        { row: 3, field: 'issuedAt', reason: 'expected an ISO-8601 date (2026-12-01) or date-time with a zone (2026-12-01T10:00:00Z), got "yesterday"' },
        { row: 4, field: 'total', reason: '10.5 has more decimals than JPY allows (0)' },
        { row: 4, field: 'status', reason: 'expected one of issued, updated, paid, payment_failed, voided, uncollectible, got "lost"' },
      ]);
    }
  });

  it('hashes rows by content, not column order or extra columns', () => {
    expect(rowHash({ invoiceId: 'a', total: '1' })).toBe(rowHash({ total: '1', invoiceId: 'a', note: 'ignored' }));
    expect(rowHash({ invoiceId: 'a', total: '1' })).not.toBe(rowHash({ invoiceId: 'a', total: '2' }));
  });
});
