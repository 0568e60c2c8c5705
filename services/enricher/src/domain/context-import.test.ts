import { describe, expect, it } from 'vitest';
import { fieldName, parseImport } from './context-import.ts';

const valid = () => ({
  accountId: 'acc_1', name: 'Acme', csm: { id: 'csm_alice', email: 'alice@example.com', slackUserId: 'U1' },
  health: { score: 70, asOf: '2026-11-01' },
  contract: { arrMinor: 1_000_000, currency: 'EUR', startDate: '2026-01-01', endDate: '2026-12-31', renewalDate: '2026-12-01', tier: 'standard' },
  supportIssues: { open: 1, last30d: 2 }, disputes: { count: 0, lastAt: null },
  valueDelivered: [{ metric: 'hours saved', value: 12.5, unit: 'hours', period: '2026-Q3' }],
  vendorRefs: { stripeCustomerId: 'cus_1' },
});

describe('context import validation', () => {
  it('accepts a valid account and fills defaults, with the import time as snapshot time', () => {
    const r = parseImport([valid()], 1234);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.snapshots[0]).toMatchObject({
      accountId: 'acc_1', snapshotAt: 1234, origin: 'import-api',
      csm: { id: 'csm_alice', email: 'alice@example.com', slackUserId: 'U1', timeZone: null },
      health: { score: 70, asOf: Date.UTC(2026, 10, 1), history: [] },
      contract: { renewalDate: Date.UTC(2026, 11, 1), plan: null, tier: 'standard' },
      supportIssues: { open: 1, last30d: 2, recent: [] },
      vendorRefs: { stripeCustomerId: 'cus_1', chargebeeCustomerId: null, salesforceAccountId: null },
    });
  });

  it.each([
    ['score above 100', (a: any) => (a.health.score = 101), '[1].health.score'],
    ['score not a whole number', (a: any) => (a.health.score = 70.5), '[1].health.score'],
    ['missing name', (a: any) => delete a.name, '[1].name'],
    ['bad email', (a: any) => (a.csm.email = 'alice'), '[1].csm.email'],
    ['lower-case currency', (a: any) => (a.contract.currency = 'eur'), '[1].contract.currency'],
    ['made-up currency', (a: any) => (a.contract.currency = 'ABC'), '[1].contract.currency'],
    ['unknown tier', (a: any) => (a.contract.tier = 'gold'), '[1].contract.tier'],
    ['impossible date', (a: any) => (a.contract.renewalDate = '2026-02-30'), '[1].contract.renewalDate'],
    ['negative open issues', (a: any) => (a.supportIssues.open = -1), '[1].supportIssues.open'],
    ['non-numeric value metric', (a: any) => (a.valueDelivered[0].value = 'lots'), '[1].valueDelivered[0].value'],
    ['unknown field', (a: any) => (a.vendorRefs.hubspotId = 'x'), '[1].vendorRefs.hubspotId'],
    ['reserved account id', (a: any) => (a.accountId = 'unmatched:stripe:cus_1'), '[1].accountId'],
    ['duplicate account id', (a: any) => (a.accountId = 'acc_1'), '[1].accountId'],
  ])('rejects %s naming the field', (_t, spoil, field) => {
    const second = { ...valid(), accountId: 'acc_2' };
    spoil(second);
    const r = parseImport([valid(), second], 1);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.field)).toEqual([field]);
  });

  it('rejects a body that is not a non-empty array', () => {
    expect(parseImport({ accountId: 'x' }, 1)).toMatchObject({ ok: false, problems: [{ field: '(body)' }] });
    expect(parseImport([], 1)).toMatchObject({ ok: false, problems: [{ field: '(body)', message: 'must hold at least one account' }] });
  });

  it('formats paths and instants', () => {
    expect(fieldName([2, 'health', 'score'])).toBe('[2].health.score');
    const asOf = (value: unknown) => parseImport([{ accountId: 'a', name: 'A', csm: { id: 'c' }, health: { score: 50, asOf: value } }], 1);
    expect(asOf('2026-11-01T10:00:00+02:00')).toMatchObject({ ok: true, snapshots: [{ health: { asOf: Date.UTC(2026, 10, 1, 8) } }] });
    const impossible = { field: '[0].health.asOf', message: 'expected a calendar date YYYY-MM-DD, got "2026-02-30"' };
    expect(asOf('2026-02-30')).toMatchObject({ ok: false, problems: [impossible] });
    expect(asOf('2026-11-01T10:00:00')).toMatchObject({ ok: false, problems: [{ message: expect.stringMatching(/has no time zone/) }] });
    expect(asOf(-1)).toMatchObject({ ok: false, problems: [{ message: 'must be an ISO-8601 date or date-time, or epoch milliseconds' }] });
  });
});
