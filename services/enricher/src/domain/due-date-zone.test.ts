import { describe, expect, it } from 'vitest';
import { sampleCustomerContext, sampleInvoiceEvent } from '@invoice-signal/testkit';
import { csvToAccounts } from './csv-accounts.ts';
import { dueInAccountZone } from './due-date-zone.ts';
import { parseImport } from './context-import.ts';
import { enrich } from './enrichment.ts';

const utcEnd = Date.parse('2026-12-01T23:59:59.999Z');
const dateOnly = sampleInvoiceEvent({ dueDate: '2026-12-01', dueTimeZone: 'UTC', dueAt: utcEnd });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("a date-only due date moves to the end of the day in the account's billing zone", () => {
  it.each([
    { zone: 'America/Los_Angeles', dueAt: '2026-12-02T07:59:59.999Z' },
    { zone: 'America/New_York', dueAt: '2026-12-02T04:59:59.999Z' },
    { zone: 'Europe/Paris', dueAt: '2026-12-01T22:59:59.999Z' },
    { zone: 'Australia/Sydney', dueAt: '2026-12-01T12:59:59.999Z' },
    { zone: 'UTC', dueAt: '2026-12-01T23:59:59.999Z' },
  ])('$zone → $dueAt', ({ zone, dueAt }) => {
    const moved = dueInAccountZone(dateOnly, sampleCustomerContext({ billingTimeZone: zone }));
    expect({ dueAt: iso(moved.dueAt), dueDate: moved.dueDate, dueTimeZone: moved.dueTimeZone }).toEqual({ dueAt, dueDate: '2026-12-01', dueTimeZone: zone });
  });

  it('across a DST change: due 2026-03-08 in New York ends at 23:59:59.999 EDT', () => {
    const moved = dueInAccountZone({ ...dateOnly, dueDate: '2026-03-08' }, sampleCustomerContext({ billingTimeZone: 'America/New_York' }));
    expect(iso(moved.dueAt)).toBe('2026-03-09T03:59:59.999Z');
  });

  it('leaves a due instant, an account without a zone, and an unmatched invoice alone', () => {
    const instant = sampleInvoiceEvent({ dueAt: Date.UTC(2026, 11, 1, 10) });
    expect(dueInAccountZone(instant, sampleCustomerContext({ billingTimeZone: 'America/Los_Angeles' }))).toBe(instant);
    expect(dueInAccountZone(dateOnly, sampleCustomerContext({ billingTimeZone: null }))).toBe(dateOnly);
    expect(dueInAccountZone(dateOnly, null)).toBe(dateOnly);
  });

  it('an enriched invoice carries the moved due date', () => {
    const enriched = enrich({
      invoice: dateOnly, accountId: 'acc_acme', context: sampleCustomerContext({ billingTimeZone: 'America/Los_Angeles' }), payments: [],
      fallbackOwner: { id: 'csm_triage', email: null, slackUserId: null, timeZone: null, team: null }, revision: 1, now: 0,
    });
    expect([iso(enriched.invoice.dueAt), enriched.invoice.dueTimeZone]).toEqual(['2026-12-02T07:59:59.999Z', 'America/Los_Angeles']);
  });
});

describe('billingTimeZone in the context import', () => {
  const account = (billingTimeZone?: unknown) => ({ accountId: 'acc_1', name: 'Acme', csm: { id: 'csm_alice' }, ...(billingTimeZone === undefined ? {} : { billingTimeZone }) });

  it('is optional, kept when an IANA zone, and refused naming the field otherwise', () => {
    expect(parseImport([account()], 1)).toMatchObject({ ok: true, snapshots: [{ billingTimeZone: null }] });
    expect(parseImport([account('America/Los_Angeles')], 1)).toMatchObject({ ok: true, snapshots: [{ billingTimeZone: 'America/Los_Angeles' }] });
    for (const bad of ['Pacific Time', '-08:00', 'America/Los_Angelos', 42]) {
      expect(parseImport([account(bad)], 1)).toMatchObject({ ok: false, problems: [{ field: '[0].billingTimeZone' }] });
    }
  });

  it('is a CSV column', () => {
    const body = csvToAccounts('accountId,name,csmId,billingTimeZone\nacc_1,Acme,csm_alice,America/New_York\nacc_2,Initech,csm_bob,\n');
    expect(parseImport(body, 1)).toMatchObject({ ok: true, snapshots: [{ billingTimeZone: 'America/New_York' }, { billingTimeZone: null }] });
    expect(parseImport(csvToAccounts('accountId,name,csmId,billingTimeZone\nacc_1,Acme,csm_alice,Mars/Base\n'), 1)).toMatchObject({ ok: false, problems: [{ field: '[0].billingTimeZone' }] });
  });
});
