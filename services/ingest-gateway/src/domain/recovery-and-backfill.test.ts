import type Stripe from 'stripe';
import type { Invoice, Transaction } from 'chargebee';
import { describe, expect, it } from 'vitest';
import { chargebeeInvoice, chargebeeTransaction, stripeInvoice } from '@invoice-signal/testkit';
import { backfillStart, chargebeeBackfill, failuresByInvoice, stripeBackfill } from './backfill.ts';
import { asRecovered, recoveryTypes, recoveryWindow } from './recovery.ts';
import { decideStripeEvent } from './stripe-mapping.ts';

const now = Date.UTC(2026, 10, 24, 12);
const minute = 60_000;
const transitions = (t: Partial<Record<'finalized_at' | 'paid_at' | 'voided_at' | 'marked_uncollectible_at', number>>) => ({ finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null, ...t });
const stripe = (o: Record<string, unknown>) => stripeInvoice({ id: 'in_1', ...o }) as unknown as Stripe.Invoice;
const summary = (d: ReturnType<typeof stripeBackfill>) => d.map((x) => [x.vendorEventId, x.event!.type, x.event!.occurredAt, x.event!.origin]);

describe('recovery window', () => {
  it('reads from the cursor to the settled past, at most one window at a time, and nothing before anything settled', () => {
    expect(recoveryWindow(now - 30 * minute, now, 10 * minute, 60 * minute)).toEqual({ from: now - 30 * minute, until: now - 10 * minute, more: false });
    expect(recoveryWindow(now - 5 * 60 * minute, now, 10 * minute, 60 * minute)).toEqual({ from: now - 5 * 60 * minute, until: now - 4 * 60 * minute, more: true });
    expect(recoveryWindow(now - 5 * minute, now, 10 * minute, 60 * minute)).toBeNull();
    expect(recoveryWindow(now - 10 * minute, now, 10 * minute, 60 * minute)).toBeNull();
  });

  it('asks Stripe for at most 20 types, only those a webhook of ours maps', () => {
    expect(recoveryTypes.stripe.length).toBeLessThanOrEqual(20);
    expect(recoveryTypes.stripe).toEqual(expect.arrayContaining(['invoice.created', 'invoice.finalized', 'invoice.payment_failed', 'charge.dispute.created', 'charge.dispute.closed']));
    const event = { id: 'evt_r', type: 'invoice.finalized', created: 1_764_000_000, data: { object: stripe({ status: 'open' }) } } as unknown as Stripe.Event;
    const decision = decideStripeEvent(event, now);
    if (decision.kind !== 'invoice') throw new Error('expected an invoice');
    expect(asRecovered(decision.delivery).event).toMatchObject({ eventId: 'stripe:evt_r', type: 'issued', origin: 'recovered' });
    expect(decision.delivery.event!.origin).toBe('live');
  });
});

describe('backfill', () => {
  it('starts the same day and time N calendar months before, the 31st clamped to the month end', () => {
    expect(new Date(backfillStart(Date.UTC(2026, 10, 24, 12, 30), 12)).toISOString()).toBe('2025-11-24T12:30:00.000Z');
    expect(new Date(backfillStart(Date.UTC(2026, 2, 31, 8), 1)).toISOString()).toBe('2026-02-28T08:00:00.000Z');
    expect(new Date(backfillStart(Date.UTC(2026, 0, 15), 14)).toISOString()).toBe('2024-11-15T00:00:00.000Z');
  });

  it('Stripe: each invoice issued at finalization, failed attempts, then its state now, dated when it got there; drafts say nothing', () => {
    const issued = ['backfill:in_1:issued', 'issued', 1_000_000, 'backfill'];
    expect(summary(stripeBackfill(stripe({ status: 'paid', attempt_count: 1, attempted: true, status_transitions: transitions({ finalized_at: 1000, paid_at: 2000 }) }), now)))
      .toEqual([issued, ['backfill:in_1:paid', 'paid', 2_000_000, 'backfill']]);
    expect(summary(stripeBackfill(stripe({ status: 'paid', attempt_count: 3, attempted: true, status_transitions: transitions({ finalized_at: 1000, paid_at: 5000 }) }), now)))
      .toEqual([issued, ['backfill:in_1:payment_failed', 'payment_failed', 1_000_000, 'backfill'], ['backfill:in_1:paid', 'paid', 5_000_000, 'backfill']]);
    expect(summary(stripeBackfill(stripe({ status: 'open', attempt_count: 1, attempted: true, status_transitions: transitions({ finalized_at: 1000 }) }), now)))
      .toEqual([issued, ['backfill:in_1:payment_failed', 'payment_failed', 1_000_000, 'backfill']]);
    expect(summary(stripeBackfill(stripe({ status: 'open', attempt_count: 0, attempted: false, status_transitions: transitions({ finalized_at: 1000 }) }), now))).toEqual([issued]);
    expect(summary(stripeBackfill(stripe({ status: 'void', status_transitions: transitions({ finalized_at: 1000, voided_at: 3000 }) }), now))).toEqual([issued, ['backfill:in_1:void', 'voided', 3_000_000, 'backfill']]);
    expect(summary(stripeBackfill(stripe({ status: 'uncollectible', status_transitions: transitions({ finalized_at: 1000, marked_uncollectible_at: 4000 }) }), now))).toEqual([issued, ['backfill:in_1:uncollectible', 'uncollectible', 4_000_000, 'backfill']]);
    expect(stripeBackfill(stripe({ status: 'draft' }), now)).toEqual([]);
  });

  it('Stripe: keeps the payment references, so a later dispute finds a backfilled invoice', () => {
    const [d] = stripeBackfill(stripe({ status: 'paid', payments: { data: [{ payment: { payment_intent: 'pi_9', charge: 'ch_9' } }] } }), now);
    expect(d.paymentRefs).toEqual(['pi_9', 'ch_9']);
  });

  it('Chargebee: state now plus one failed payment per failed transaction applied to the invoice, with its reason', () => {
    const invoice = chargebeeInvoice({ id: 'cb_1', status: 'paid', date: 1000, paid_at: 9000, amount_paid: 99900, amount_due: 0 }) as unknown as Invoice;
    const tx = chargebeeTransaction({ id: 'txn_1', status: 'failure', date: 4000, error_text: 'Do not honour', linked_invoices: [{ invoice_id: 'cb_1', applied_amount: 99900, applied_at: 4000 }] }) as unknown as Transaction;
    const other = chargebeeTransaction({ id: 'txn_2', status: 'failure', date: 4000, linked_invoices: [{ invoice_id: 'cb_2', applied_amount: 1, applied_at: 4000 }] }) as unknown as Transaction;
    const failures = failuresByInvoice([tx, other]);
    expect([...failures.keys()]).toEqual(['cb_1', 'cb_2']);
    const out = chargebeeBackfill(invoice, failures.get('cb_1')!, now);
    expect(out.map((d) => [d.vendorEventId, d.event!.type, d.event!.occurredAt, d.event!.failureReason, d.event!.origin])).toEqual([
      ['backfill:cb_1:issued', 'issued', 1_000_000, null, 'backfill'],
      ['backfill:cb_1:failed:txn_1', 'payment_failed', 4_000_000, 'Do not honour', 'backfill'],
      ['backfill:cb_1:paid', 'paid', 9_000_000, null, 'backfill'],
    ]);
    expect(chargebeeBackfill(chargebeeInvoice({ id: 'cb_3', status: 'pending' }) as unknown as Invoice, [], now)).toEqual([]);
    expect(chargebeeBackfill(chargebeeInvoice({ id: 'cb_4', status: 'payment_due', date: 1000 }) as unknown as Invoice, [], now).map((d) => d.event)).toEqual([expect.objectContaining({ type: 'issued', occurredAt: 1_000_000 })]);
  });
});
