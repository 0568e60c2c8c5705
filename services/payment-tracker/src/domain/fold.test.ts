import { describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import { sampleInvoiceEvent } from '@invoice-signal/testkit';
import { foldInvoice, sameView } from './fold.ts';
import { overdueMarker, vendorEntry, type LedgerEntry } from './ledger.ts';
import { overdueFireAt, statusRecord } from './publication.ts';

const t0 = Date.UTC(2026, 10, 1);
const day = 86_400_000;
let n = 0;
const ev = (type: InvoiceEvent['type'], at: number, extra: Partial<InvoiceEvent> = {}) =>
  vendorEntry(sampleInvoiceEvent({ eventId: `e${++n}-${type}`, invoiceId: 'stripe:in_1', type, occurredAt: at, amountPaidMinor: 0, ...extra }));

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const statusOf = (entries: LedgerEntry[]) => foldInvoice(entries)!.view.status;

describe('the invoice fold', () => {
  it('gives the same view for every order of the same events', () => {
    const events = [
      ev('issued', t0), ev('payment_failed', t0 + day, { attemptCount: 1, failureReason: 'card_declined' }),
      ev('payment_failed', t0 + 2 * day, { attemptCount: 2 }), ev('paid', t0 + 3 * day, { amountPaidMinor: 1_250_000, amountRemainingMinor: 0, attemptCount: 3 }),
      ev('refunded', t0 + 4 * day, { amountPaidMinor: 1_250_000, amountRefundedMinor: 50_000 }),
    ];
    const views = permutations(events).map((p) => foldInvoice(p)!.view);
    for (const v of views) expect(sameView(v, views[0])).toBe(true);
    expect(views[0]).toMatchObject({ status: 'paid', attemptCount: 3, amountPaidMinor: 1_250_000, amountRemainingMinor: 0, amountRefundedMinor: 50_000, paidAt: t0 + 3 * day, failureReason: 'card_declined' });
  });

  it('keeps paid when a payment failure stamped later arrives after it', () => {
    expect(statusOf([ev('issued', t0), ev('paid', t0 + day), ev('payment_failed', t0 + 2 * day)])).toBe('paid');
  });

  it('records the history of status changes with the vendor times that caused them', () => {
    const { transitions } = foldInvoice([ev('paid', t0 + 2 * day), ev('issued', t0), ev('payment_failed', t0 + day)])!;
    expect(transitions.map((t) => [t.from, t.to, t.occurredAt])).toEqual([[null, 'pending', t0], ['pending', 'failed', t0 + day], ['failed', 'paid', t0 + 2 * day]]);
  });

  it.each([
    ['voided', 'voided'], ['uncollectible', 'uncollectible'], ['deleted', 'deleted'], ['overdue_reported', 'overdue'],
    ['payment_failed', 'failed'], ['updated', 'pending'], ['disputed', 'pending'], ['refunded', 'pending'],
  ] as const)('moves a pending invoice on %s to %s', (type, expected) => {
    expect(statusOf([ev('issued', t0), ev(type, t0 + day)])).toBe(expected);
  });

  it('lets a payment close out an uncollectible or voided invoice, but nothing reopen a deleted one', () => {
    expect(statusOf([ev('issued', t0), ev('uncollectible', t0 + day), ev('paid', t0 + 2 * day)])).toBe('paid');
    expect(statusOf([ev('issued', t0), ev('voided', t0 + day), ev('paid', t0 + 2 * day)])).toBe('paid');
    expect(statusOf([ev('issued', t0), ev('deleted', t0 + day), ev('paid', t0 + 2 * day)])).toBe('deleted');
  });

  it('keeps an overdue invoice overdue when another retry fails', () => {
    const issued = ev('issued', t0, { dueAt: t0 + day });
    expect(statusOf([issued, overdueMarker('stripe:in_1', t0 + day, 0), ev('payment_failed', t0 + 2 * day, { dueAt: t0 + day })])).toBe('overdue');
  });

  it('applies an overdue marker only for the current due date, and only before payment', () => {
    const marker = overdueMarker('stripe:in_1', t0 + day, 3600_000);
    const issued = ev('issued', t0, { dueAt: t0 + day });
    expect(foldInvoice([issued, marker])!.view).toMatchObject({ status: 'overdue', overdueSince: t0 + day + 3600_000 + 1 });
    expect(statusOf([issued, marker, ev('updated', t0 + 2 * day, { dueAt: t0 + 10 * day })])).toBe('pending');
    expect(statusOf([issued, marker, ev('paid', t0 + day / 2, { dueAt: t0 + day })])).toBe('paid');
    expect(statusOf([issued, marker, ev('paid', t0 + 3 * day, { dueAt: t0 + day })])).toBe('paid');
  });

  it('records partial payments, credit notes and refunds in any currency', () => {
    const { view } = foldInvoice([
      ev('issued', t0, { currency: 'JPY', totalMinor: 100_000, amountDueMinor: 100_000 }),
      ev('updated', t0 + day, { currency: 'JPY', totalMinor: 100_000, amountDueMinor: 90_000, amountPaidMinor: 40_000 }),
    ])!;
    expect(view).toMatchObject({ status: 'pending', currency: 'JPY', amountDueMinor: 90_000, amountPaidMinor: 40_000, amountRemainingMinor: 50_000, amountCreditedMinor: 10_000 });
  });

  it('counts failures as attempts when the source reports none', () => {
    expect(foldInvoice([ev('issued', t0, { attemptCount: 0 }), ev('payment_failed', t0 + 1, { attemptCount: 0 }), ev('payment_failed', t0 + 2, { attemptCount: 0 })])!.view.attemptCount).toBe(2);
  });

  it('does not count the payment error of an attempt the vendor already counted as another attempt', () => {
    const { view } = foldInvoice([
      ev('issued', t0), ev('payment_failed', t0 + 1, { attemptCount: 1, failureReason: null }),
      ev('payment_failed', t0 + 2, { attemptCount: 1, failureReason: 'Your card has insufficient funds.' }),
    ])!;
    expect(view).toMatchObject({ status: 'failed', attemptCount: 1, failureReason: 'Your card has insufficient funds.' });
  });

  it('follows the outcome of the newest dispute event, whatever the arrival order', () => {
    const events = [
      ev('paid', t0, { amountPaidMinor: 1_250_000, amountRemainingMinor: 0 }),
      ev('disputed', t0 + day, { disputeStatus: 'open' }), ev('disputed', t0 + 30 * day, { disputeStatus: 'lost' }),
    ];
    for (const order of permutations(events)) expect(foldInvoice(order)!.view).toMatchObject({ status: 'paid', disputed: true, disputeStatus: 'lost' });
    expect(foldInvoice([ev('issued', t0)])!.view).toMatchObject({ disputed: false, disputeStatus: null });
    // An event from before the gateway named the outcome: the dispute is open.
    expect(foldInvoice([ev('disputed', t0, { disputeStatus: null })])!.view.disputeStatus).toBe('open');
  });

  it('marks an invoice overdue whose issue event is stamped after its due date', () => {
    const marker = overdueMarker('stripe:in_1', t0, 0);
    expect(statusOf([ev('issued', t0 + day, { dueAt: t0 }), marker])).toBe('overdue');
  });

  it('has nothing to say about an invoice known only through tracker markers', () => {
    expect(foldInvoice([overdueMarker('stripe:in_1', t0, 0)])).toBeUndefined();
  });
});

describe('publication', () => {
  it('publishes a tombstone for a deleted invoice and a status with bookkeeping otherwise', () => {
    const deleted = foldInvoice([ev('issued', t0), ev('deleted', t0 + 1)])!.view;
    expect(statusRecord(deleted, 3, 'pending', t0)).toBeNull();
    const pending = foldInvoice([ev('issued', t0)])!.view;
    expect(statusRecord(pending, 1, null, t0 + 5)).toMatchObject({ status: 'pending', previousStatus: null, version: 1, changedAt: t0 + 5 });
  });

  it('runs the overdue clock only while payment is awaited', () => {
    const issued = ev('issued', t0, { dueAt: t0 + day });
    expect(overdueFireAt(foldInvoice([issued])!.view, 60_000)).toBe(t0 + day + 60_000 + 1);
    expect(overdueFireAt(foldInvoice([issued, ev('paid', t0 + 1)])!.view, 60_000)).toBeNull();
    expect(overdueFireAt(foldInvoice([ev('issued', t0, { dueAt: null })])!.view, 60_000)).toBeNull();
  });
});
