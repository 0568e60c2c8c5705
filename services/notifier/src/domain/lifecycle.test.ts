import { describe, expect, it } from 'vitest';
import { alertsFor, settled, timelineEntries, type StatusFact } from './lifecycle.ts';
import { balanceLine } from './notification.ts';
import { sampleNotification } from '../../test/support/notification.ts';

const at = Date.UTC(2026, 10, 24);
const fact = (over: Partial<StatusFact> = {}): StatusFact => ({
  invoiceId: 'i1', status: 'pending', version: 1, accountId: null, dueAt: Date.UTC(2026, 11, 1), changedAt: at, currency: 'JPY',
  amountDueMinor: 100_000, amountRemainingMinor: 100_000, amountCreditedMinor: 0, amountRefundedMinor: 0, failureReason: null, disputeStatus: null, ...over,
});

describe('the invoice lifecycle as the CSM reads it', () => {
  it('calls for an alert on a failure, overdue, a write-off and an open or lost dispute, never on a won one', () => {
    expect(alertsFor(fact({ status: 'failed' }))).toEqual(['payment_failed']);
    expect(alertsFor(fact({ status: 'uncollectible' }))).toEqual(['written_off']);
    expect(alertsFor(fact({ status: 'paid', disputeStatus: 'open' }))).toEqual(['disputed']);
    expect(alertsFor(fact({ status: 'paid', disputeStatus: 'lost' }))).toEqual(['disputed']);
    expect(alertsFor(fact({ status: 'paid', disputeStatus: 'won' }))).toEqual([]);
    expect(['paid', 'voided', 'uncollectible', 'pending', 'failed', 'overdue'].map((s) => settled(s as StatusFact['status']))).toEqual([true, true, true, false, false, false]);
  });

  it('describes refunds and dispute outcomes, in the currency of the invoice, and nothing when nothing changed', () => {
    expect(timelineEntries(fact(), fact({ version: 2 }))).toEqual([]);
    const paid = fact({ status: 'paid', amountRemainingMinor: 0 });
    expect(timelineEntries(paid, { ...paid, amountRefundedMinor: 30_000 })).toEqual([{ at, event: 'refunded', note: '¥30,000 refunded' }]);
    expect(timelineEntries({ ...paid, disputeStatus: 'open' }, { ...paid, disputeStatus: 'won' }).map((e) => e.event)).toEqual(['dispute_won']);
    // Amounts unknown (a row from before they were kept): no made-up change.
    expect(timelineEntries(fact({ amountDueMinor: null, amountRemainingMinor: null }), fact({ amountDueMinor: 90_000 }))).toEqual([]);
  });

  it('shows what is still owed and the last failure under an alert, and the dispute outcome', () => {
    const alert = sampleNotification({
      kind: 'overdue', amountMinor: 100_000, amountRemainingMinor: 60_000, currency: 'JPY', failureReason: 'expired_card', timeline: [],
    });
    expect(balanceLine(alert)).toBe('¥60,000 still owed of ¥100,000 · last failure: expired_card');
    expect(balanceLine({ ...alert, kind: 'invoice_issued' })).toBeNull();
    expect(balanceLine({ ...alert, kind: 'disputed', timeline: [{ at, event: 'dispute_lost', note: null }] })).toBe('dispute lost: the money went back to the customer');
  });
});
