import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { decideChargebeeEvent } from './chargebee-mapping.ts';
import { isEpochSeconds } from './delivery.ts';
import { decideStripeEvent } from './stripe-mapping.ts';
import { UploadRejected, uploadDeliveries } from './upload-rows.ts';

// Cases the reliability suite's fuzzing found answering 500: they are bad input (400 naming the field).
describe('malformed vendor input is refused, naming the field', () => {
  const now = Date.UTC(2026, 10, 24);

  it('event times are whole epoch seconds between 1970 and year 9999', () => {
    expect([0, 1_762_000_000, 253_402_300_799].every(isEpochSeconds)).toBe(true);
    expect([-1, 1.5, 253_402_300_800, -(2 ** 60), Number.NaN, '1762000000', null].some(isEpochSeconds)).toBe(false);
  });

  it('Chargebee: an occurred_at no date can have', () => {
    const base = { id: 'ev_1', event_type: 'invoice_generated', content: {} };
    expect(() => decideChargebeeEvent({ ...base, occurred_at: -1_152_921_504_606_847_000 }, now)).toThrow('occurred_at: expected epoch seconds');
    expect(() => decideChargebeeEvent({ ...base, occurred_at: 1.5 }, now)).toThrow('occurred_at: expected epoch seconds');
  });

  it('Stripe: an invoice or dispute event without data', () => {
    const event = (type: string) => ({ id: 'evt_1', type, created: 1_762_000_000 }) as unknown as Stripe.Event;
    expect(() => decideStripeEvent(event('invoice.finalized'), now)).toThrow('data.object.object: expected an invoice');
    expect(() => decideStripeEvent(event('charge.dispute.created'), now)).toThrow('data.object: expected a dispute');
  });
});

describe('upload dates', () => {
  it('must have the ISO-8601 shape: Date.parse alone reads "no-date 5" as May 2001', () => {
    const row = (issuedAt: string) => () => uploadDeliveries([{ row: 2, values: { invoiceId: 'inv-1', currency: 'EUR', total: '10', issuedAt } }], Date.UTC(2026, 10, 24));
    for (const bad of ['no-date 5', 'no-date 0?', 'May 2001', '5', '2026-11-01 junk', '2026-02-30', '2026-13-01', '2026-04-31T10:00:00Z']) expect(row(bad)).toThrow(UploadRejected);
    for (const good of ['2026-11-01', '2026-11-01T09:30:00Z', '2026-11-01T09:30:00.000Z', '2026-11-01T10:30+01:00', '2028-02-29']) expect(row(good)).not.toThrow();
  });
});
