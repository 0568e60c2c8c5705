import { describe, expect, it } from 'vitest';
import { sampleCustomerContext } from '@invoice-signal/testkit';
import { quietEnriched, shippedRules } from '../../test/support/domain-fixtures.ts';
import { valueReinforcement } from './value-prompts.ts';

const cfg = shippedRules.config.valueReinforcement;
const strategic = (over: Parameters<typeof quietEnriched>[0] = {}) =>
  quietEnriched({ ...over, context: { contract: sampleCustomerContext().contract, valueDelivered: sampleCustomerContext().valueDelivered, ...over.context } });
const at = quietEnriched().invoice.issuedAt!;

describe('value reinforcement prompts', () => {
  it.each([
    { tier: 'strategic', kinds: ['send_value_summary', 'schedule_check_in', 'share_success_metrics'] },
    { tier: 'standard', kinds: [] },
  ] as const)('$tier account → $kinds', ({ tier, kinds }) => {
    const enriched = strategic({ context: { contract: { ...sampleCustomerContext().contract!, tier } } });
    expect(valueReinforcement(enriched, at, cfg).map((p) => p.kind)).toEqual(kinds);
  });

  it('none for an unmatched invoice (no context)', () => {
    expect(valueReinforcement(quietEnriched({ context: null }), at, cfg)).toEqual([]);
  });

  it('the value summary is ready to paste and carries its metrics', () => {
    const enriched = strategic({ context: { valueDelivered: [
      { metric: 'hours saved', value: 1240.5, unit: 'hours', period: '2026-Q3' },
      { metric: 'tickets deflected', value: 3200, unit: 'tickets', period: '2026-Q3' },
    ] } });
    const summary = valueReinforcement(enriched, at, cfg).find((p) => p.kind === 'send_value_summary')!;
    expect(summary.text).toBe('Hello Acme Corp team, ahead of invoice ACME-0042 (EUR 5,000.00, due 2026-12-01) here is a short summary of the value you got from us: hours saved: 1,240.5 hours (2026-Q3); tickets deflected: 3,200 tickets (2026-Q3). Happy to walk you through it on a short call.');
    expect(summary.data).toMatchObject({ invoice: 'ACME-0042', amount: 'EUR 5,000.00', dueDate: '2026-12-01', 'metric.1': 'hours saved: 1,240.5 hours (2026-Q3)', 'metric.2': 'tickets deflected: 3,200 tickets (2026-Q3)' });
  });

  it('without value metrics only the check-in is prompted', () => {
    expect(valueReinforcement(strategic({ context: { valueDelivered: [] } }), at, cfg).map((p) => p.kind)).toEqual(['schedule_check_in']);
  });

  it('quotes at most maxMetrics metrics', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ metric: `m${i}`, value: i, unit: 'x', period: 'Q3' }));
    const prompts = valueReinforcement(strategic({ context: { valueDelivered: many } }), at, { ...cfg, maxMetrics: 3 });
    expect(prompts.find((p) => p.kind === 'share_success_metrics')!.data.metrics).toBe('3');
  });

  it('open support issues and disputes become an address_concerns prompt with their data', () => {
    const enriched = strategic({ context: {
      supportIssues: { open: 2, last30d: 5, recent: [{ id: 'SUP-881', title: 'SSO login loops', severity: 'high', openedAt: at, open: true }, { id: 'SUP-700', title: 'Old', severity: null, openedAt: at, open: false }] },
      disputes: { count: 1, lastAt: Date.UTC(2026, 7, 3) },
    } });
    const concerns = valueReinforcement(enriched, at, cfg).find((p) => p.kind === 'address_concerns')!;
    expect(concerns.text).toBe(`Address Acme Corp's open concerns before the invoice is paid: 2 open support issues: SUP-881 "SSO login loops" (high); 1 dispute, the last on 2026-08-03.`);
    expect(concerns.data).toEqual({ accountId: 'acc_acme', openSupportIssues: '2', supportIssuesLast30d: '5', disputes: '1', lastDisputeAt: '2026-08-03', 'issue.1': 'SUP-881: SSO login loops (high)' });
  });

  it('the check-in is suggested lead days before the due date', () => {
    const checkIn = valueReinforcement(strategic(), at, { ...cfg, checkInLeadDays: 10 }).find((p) => p.kind === 'schedule_check_in')!;
    expect(checkIn.data).toMatchObject({ checkInBy: '2026-11-21', dueDate: '2026-12-01', csmTimeZone: 'Europe/Paris', healthScore: '80' });
  });
});
