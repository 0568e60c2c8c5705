import { describe, expect, it } from 'vitest';
import { sampleCustomerContext } from '@invoice-signal/testkit';
import { DAY, quietEnriched, shippedRules } from '../../test/support/domain-fixtures.ts';
import { assess } from './assess.ts';
import { isoDate } from './format.ts';
import { emptyHistory } from './history.ts';
import { valueReinforcement } from './value-prompts.ts';

// Due 2026-12-01 for a billing entity in Los Angeles: the last instant of that day there.
const dueAt = Date.parse('2026-12-02T07:59:59.999Z');
const owner = (timeZone: string | null) => ({ id: 'csm_x', email: null, slackUserId: null, timeZone, team: null });
const enriched = (timeZone: string | null) => quietEnriched({
  invoice: { dueAt, dueDate: '2026-12-01', dueTimeZone: 'America/Los_Angeles' },
  context: { contract: { ...sampleCustomerContext().contract!, tier: 'strategic' } },
  payment: { lastFailedAt: Date.parse('2026-11-01T00:00:00Z'), failed: 1, paidLate: 3, classification: 'fair' },
  enriched: { owner: owner(timeZone) },
});

describe('recommended actions and value prompts quote dates on the CSM’s calendar', () => {
  it.each([
    { zone: 'America/Los_Angeles', day: '2026-12-01' },
    { zone: 'Europe/Paris', day: '2026-12-02' },
    { zone: null, day: '2026-12-02' },
  ])('owner zone $zone → due $day', ({ zone, day }) => {
    const e = enriched(zone);
    const outreach = assess(e, emptyHistory, shippedRules, 0).value.actions.find((a) => a.code === 'PROACTIVE_OUTREACH')!;
    expect(outreach.text).toContain(`(the invoice is due ${day})`);
    const checkIn = valueReinforcement(e, 0, shippedRules.config.valueReinforcement).find((p) => p.kind === 'schedule_check_in')!;
    expect(checkIn.text).toContain(`due ${day})`);
    expect(checkIn.data.dueDate).toBe(day);
  });

  it('reads an unknown zone as UTC rather than failing', () => {
    expect(isoDate(dueAt, 'Not/AZone')).toBe('2026-12-02');
    expect(isoDate(dueAt - 10 * DAY, 'America/Los_Angeles')).toBe('2026-11-21');
  });
});
