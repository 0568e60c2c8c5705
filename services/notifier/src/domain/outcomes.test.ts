import { describe, expect, it } from 'vitest';
import { computeOutcomes, latencyStats, outreachOutcome, paymentOutcome, periodOf, type HistoryInvoice, type NotifiedInvoice, type RecordedAction } from './outcomes.ts';

const at = (day: number, hour = 12, month = 10) => Date.UTC(2026, month, day, hour);
const endOf = (day: number, month = 10) => Date.UTC(2026, month, day, 23, 59, 59, 999);
const act = (actionTaken: string | null, by: string, holder: string, when: number): RecordedAction => ({ actionTaken, by, holder, at: when });

function invoice(id: string, o: Partial<NotifiedInvoice> & { notifiedAt: number; issuedMs: number; receivedMs: number }): NotifiedInvoice {
  const { issuedMs, receivedMs, ...rest } = o;
  return {
    invoiceId: id, accountId: `acc_${id}`, customerName: null, csmId: 'csm_a', team: 'emea', source: 'stripe',
    issuedAt: o.notifiedAt - issuedMs, receivedAt: o.notifiedAt - receivedMs, dueAt: null, status: 'pending', paidAt: null, settledAt: null, overdueSince: null,
    amountMinor: 100_00, currency: 'EUR', riskLevel: 'medium', riskRank: 2, currentAction: null, actions: [], ...rest,
  };
}
const paid = (when: number) => ({ status: 'paid' as const, paidAt: when, settledAt: when });

/*
 * Hand-computed history (now: 2026-11-30 12:00 UTC; window: November 2026; weeks start Monday 2, 9, 16, 23):
 *   a1 csm_a contacted Nov 5, paid Nov 9, due Nov 10       → outreach contacted, on time
 *   a2 csm_a no_action_needed, paid Nov 15, due Nov 12     → missed, late
 *   a3 csm_a chargebee, overdue Nov 21, call Nov 22        → missed (after overdue), late
 *   b1 csm_b value summary Nov 7, paid Nov 14 10:00, due Nov 14 → contacted, on time
 *   b2 csm_b pending, due Dec 10                            → open, not due
 *   b3 csm_b manager's contact only, paid Nov 17, due Nov 18 → missed, on time
 *   c1 csm_c (amer) salesforce, payment date confirmed, failed, due Nov 16 → contacted, late
 *   a4 csm_a notified in October, overdue                   → outside the window; needs outreach
 */
const notified: NotifiedInvoice[] = [
  invoice('a1', { notifiedAt: at(2), issuedMs: 60_000, receivedMs: 30_000, dueAt: endOf(10), ...paid(at(9)), actions: [act('contacted_customer', 'csm_a', 'csm_a', at(5))] }),
  invoice('a2', { notifiedAt: at(3), issuedMs: 7_200_000, receivedMs: 1_800_000, dueAt: endOf(12), ...paid(at(15)), overdueSince: at(13), actions: [act('no_action_needed', 'csm_a', 'csm_a', at(4))] }),
  invoice('a3', { notifiedAt: at(4), issuedMs: 600_000, receivedMs: 300_000, source: 'chargebee', dueAt: endOf(20), status: 'overdue', overdueSince: at(21), actions: [act('scheduled_call', 'csm_a', 'csm_a', at(22))] }),
  invoice('b1', { csmId: 'csm_b', notifiedAt: at(6), issuedMs: 1_200_000, receivedMs: 60_000, dueAt: endOf(14), ...paid(at(14, 10)), actions: [act('sent_value_summary', 'csm_b', 'csm_b', at(7))] }),
  invoice('b2', { csmId: 'csm_b', notifiedAt: at(25), issuedMs: 300_000, receivedMs: 10_000, dueAt: endOf(10, 11) }),
  invoice('b3', { csmId: 'csm_b', notifiedAt: at(8), issuedMs: 600_000, receivedMs: 20_000, dueAt: endOf(18), ...paid(at(17)), actions: [act('contacted_customer', 'mgr_x', 'csm_b', at(9))] }),
  invoice('c1', { csmId: 'csm_c', team: 'amer', source: 'salesforce', notifiedAt: at(10), issuedMs: 120_000, receivedMs: 5_000, dueAt: endOf(16), status: 'failed', actions: [act('confirmed_payment_date', 'csm_c', 'csm_c', at(11))] }),
  invoice('a4', { notifiedAt: at(20, 12, 9), issuedMs: 1000, receivedMs: 1000, dueAt: endOf(31, 9), status: 'overdue', overdueSince: at(1) }),
];
const history: HistoryInvoice[] = [
  { invoiceId: 'h1', accountId: 'acc_a1', dueAt: endOf(10, 5), status: 'paid', paidAt: at(9, 12, 5) },
  { invoiceId: 'h2', accountId: 'acc_a1', dueAt: endOf(10, 6), status: 'paid', paidAt: at(20, 12, 6) },
  { invoiceId: 'h3', accountId: 'acc_b1', dueAt: endOf(10, 7), status: 'paid', paidAt: endOf(10, 7) },
  { invoiceId: 'h4', accountId: 'acc_b1', dueAt: endOf(10, 8), status: 'uncollectible', paidAt: null },
  { invoiceId: 'h5', accountId: 'acc_b1', dueAt: endOf(10, 8), status: 'voided', paidAt: null },
];
const window = { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1), now: at(30) };

describe('outcome metrics', () => {
  const out = computeOutcomes(notified, history, window);

  it('measures delivery per source: nearest-rank p50/p95, max and the count over one hour', () => {
    const stripe = out.delivery.bySource.find((s) => s.source === 'stripe')!;
    // issued → notified: 60 s, 300 s, 600 s, 1200 s, 7200 s
    expect(stripe.issuedToNotified).toEqual({ n: 5, p50Ms: 600_000, p95Ms: 7_200_000, maxMs: 7_200_000, overOneHour: 1 });
    expect(stripe.receivedToNotified).toEqual({ n: 5, p50Ms: 30_000, p95Ms: 1_800_000, maxMs: 1_800_000, overOneHour: 0 });
    expect(out.delivery.bySource.map((s) => s.source)).toEqual(['chargebee', 'salesforce', 'stripe']);
    expect(out.daily.delivery.find((d) => d.period === '2026-11-03')).toMatchObject({ source: 'stripe', issuedToNotified: { n: 1, maxMs: 7_200_000, overOneHour: 1 } });
  });

  it('counts outreach as a contact by the holder before the invoice settled or went overdue, overall, per CSM and per team', () => {
    expect(out.outreach.overall).toEqual({ rate: 0.5, contacted: 3, eligible: 6, open: 1 });
    expect(out.outreach.perTeam).toEqual([{ team: 'amer', rate: 1, contacted: 1, eligible: 1, open: 0 }, { team: 'emea', rate: 0.4, contacted: 2, eligible: 5, open: 1 }]);
    expect(out.perCsm.map((c) => [c.csmId, c.notified, c.outreach])).toEqual([
      ['csm_a', 3, { rate: 1 / 3, contacted: 1, eligible: 3, open: 0 }],
      ['csm_b', 3, { rate: 0.5, contacted: 1, eligible: 2, open: 1 }],
      ['csm_c', 1, { rate: 1, contacted: 1, eligible: 1, open: 0 }],
    ]);
    expect(out.weekly.outreach).toEqual([
      { period: '2026-11-02', rate: 0.4, contacted: 2, eligible: 5, open: 0 },
      { period: '2026-11-09', rate: 1, contacted: 1, eligible: 1, open: 0 },
      { period: '2026-11-23', rate: null, contacted: 0, eligible: 0, open: 1 },
    ]);
  });

  it('compares on-time payment with and without outreach against the baseline, in points', () => {
    expect(out.onTime.withOutreach).toEqual({ rate: 2 / 3, onTime: 2, due: 3 });
    expect(out.onTime.withoutOutreach).toEqual({ rate: 1 / 3, onTime: 1, due: 3 });
    expect(out.onTime.notified).toEqual({ rate: 0.5, onTime: 3, due: 6 });
    expect(out.onTime.baseline).toEqual({ rate: 0.5, onTime: 2, due: 4 });
    expect(out.onTime.liftPoints).toEqual({ notifiedVsBaseline: 0, withOutreachVsBaseline: 16.7, withOutreachVsWithout: 33.3 });
    expect(out.weekly.onTime.map((w) => [w.period, w.withOutreach.onTime, w.withOutreach.due, w.withoutOutreach.onTime, w.withoutOutreach.due])).toEqual([
      ['2026-11-09', 2, 2, 0, 1],
      ['2026-11-16', 0, 1, 1, 2],
    ]);
    expect(out.perCsm.find((c) => c.csmId === 'csm_b')!.onTime).toEqual({ withOutreach: { rate: 1, onTime: 1, due: 1 }, withoutOutreach: { rate: 1, onTime: 1, due: 1 } });
  });

  it('lists the open invoices nobody has contacted yet, overdue first', () => {
    expect(out.needsOutreach.map((i) => i.invoiceId)).toEqual(['a4', 'b2']);
  });

  it('reads each outcome at its edges', () => {
    expect(paymentOutcome({ dueAt: endOf(10), status: 'paid', paidAt: endOf(10) }, at(30))).toBe('on_time');
    expect(paymentOutcome({ dueAt: endOf(10), status: 'paid', paidAt: endOf(10) + 1 }, at(30))).toBe('late');
    expect(paymentOutcome({ dueAt: endOf(10), status: 'pending', paidAt: null }, at(5))).toBeNull();
    expect(outreachOutcome({ status: 'paid', settledAt: at(9), overdueSince: null, notifiedAt: at(1), actions: [act('contacted_customer', 'csm_a', 'csm_a', at(9))] })).toBe('missed');
    expect(outreachOutcome({ status: 'pending', settledAt: null, overdueSince: null, notifiedAt: at(1), actions: [act('other', 'csm_a', 'csm_a', at(9))] })).toBe('open');
    // Paid before it was notified (stored, not announced): there was no outreach window, so it is not counted either way.
    expect(outreachOutcome({ status: 'paid', settledAt: at(1), overdueSince: null, notifiedAt: at(2), actions: [] })).toBe('none');
    expect(latencyStats([])).toEqual({ n: 0, p50Ms: null, p95Ms: null, maxMs: null, overOneHour: 0 });
    expect(periodOf(Date.UTC(2026, 10, 29, 23), 'week')).toBe('2026-11-23');
  });
});
