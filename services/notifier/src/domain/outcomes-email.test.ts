import { describe, expect, it } from 'vitest';
import { computeOutcomes } from './outcomes.ts';
import { renderOutcomesEmail, weeklyOutcomeWindow } from './outcomes-email.ts';

describe('the weekly outcomes e-mail', () => {
  it('is due at the local weekday and hour, covering the seven UTC days before', () => {
    // Monday 2026-11-23 08:00 in Paris is 07:00 UTC.
    expect(weeklyOutcomeWindow(Date.UTC(2026, 10, 23, 7, 0), 'Europe/Paris', 'mon', 8)).toEqual({
      key: 'outcomes-weekly:2026-11-16', sendAt: Date.UTC(2026, 10, 23, 7), from: Date.UTC(2026, 10, 16), to: Date.UTC(2026, 10, 23),
    });
    // A minute earlier it is still last week's.
    expect(weeklyOutcomeWindow(Date.UTC(2026, 10, 23, 6, 59), 'Europe/Paris', 'mon', 8).key).toBe('outcomes-weekly:2026-11-09');
    // Friday 17:00 in New York, the week after the clocks changed (EST, UTC-5).
    expect(weeklyOutcomeWindow(Date.UTC(2026, 10, 9, 12), 'America/New_York', 'fri', 17)).toMatchObject({ key: 'outcomes-weekly:2026-10-30', sendAt: Date.UTC(2026, 10, 6, 22) });
  });

  it('shows every rate with its sample size', () => {
    const day = (d: number) => Date.UTC(2026, 10, d, 12);
    const notified = [
      { contacted: true, paidAt: day(18), dueAt: day(18) + 3600_000 },
      { contacted: false, paidAt: day(21), dueAt: day(19) },
    ].map((x, i) => ({
      invoiceId: `i${i}`, accountId: 'acc', customerName: 'Acme', csmId: 'csm_a', team: 'emea', source: 'stripe', issuedAt: day(16 + i) - 60_000, receivedAt: day(16 + i) - 1000, notifiedAt: day(16 + i),
      dueAt: x.dueAt, status: 'paid' as const, paidAt: x.paidAt, settledAt: x.paidAt, overdueSince: null, amountMinor: 100, currency: 'EUR', riskLevel: 'low', riskRank: 1, currentAction: null,
      actions: x.contacted ? [{ actionTaken: 'contacted_customer', by: 'csm_a', holder: 'csm_a', at: day(17) }] : [],
    }));
    const out = computeOutcomes(notified, [], { from: Date.UTC(2026, 10, 16), to: Date.UTC(2026, 10, 23), now: Date.UTC(2026, 10, 23, 8) });
    const mail = renderOutcomesEmail({ ...out, from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', goLiveAt: null, needsOutreach: [] }, 'https://signal.example.com/');
    expect(mail.subject).toBe('invoice-signal outcomes, 2026-11-16 to 2026-11-23: outreach 50.0% (n=2), on time — vs baseline');
    expect(mail.text).toContain('Proactive outreach: 50.0% (1 of 2; 0 still open) · target 30.0%');
    expect(mail.text).toContain('On-time payment: with outreach 100.0% (n=1), without 0.0% (n=1), all notified 50.0% (n=2), baseline — (n=0)');
    expect(mail.text).toContain('  stripe: p50 1.0 min, p95 1.0 min, max 1.0 min, over 1 h: 0 (n=2)');
    expect(mail.text).toContain('The page: https://signal.example.com/outcomes');
  });
});
