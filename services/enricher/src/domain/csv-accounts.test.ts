import { describe, expect, it } from 'vitest';
import { csvToAccounts } from './csv-accounts.ts';
import { parseCsv } from './csv.ts';
import { parseImport } from './context-import.ts';

describe('CSV parsing', () => {
  it('handles quotes, escaped quotes, commas and CRLF', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\r\n\r\n1,\n')).toEqual([['a', 'b'], ['x, y', 'say "hi"'], ['1', '']]);
  });
  it('refuses an unterminated quote', () => {
    expect(() => parseCsv('a\n"open')).toThrow(/unterminated/);
  });
});

describe('CSV rows become import accounts', () => {
  const header = 'accountId,name,csmId,csmEmail,healthScore,healthAsOf,healthHistory,arrMinor,currency,renewalDate,tier,supportOpen,valueDelivered,stripeCustomerId';
  it('maps every documented column into a body the import API accepts', () => {
    const body = csvToAccounts(`${header}\nacc_1,"Acme, Inc.",csm_alice,alice@example.com,62,2026-11-01,2026-08-01=80;2026-10-01=71,15000000,EUR,2026-12-06,strategic,2,hours saved|1240.5|hours|2026-Q3,cus_1\n`);
    const r = parseImport(body, 1);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.snapshots[0]).toMatchObject({
      name: 'Acme, Inc.', health: { score: 62, history: [{ score: 80 }, { score: 71 }] }, contract: { arrMinor: 15_000_000, tier: 'strategic' },
      supportIssues: { open: 2, last30d: 0 }, valueDelivered: [{ metric: 'hours saved', value: 1240.5 }], vendorRefs: { stripeCustomerId: 'cus_1' },
    });
  });
  it('leaves a bad value for the API to name by row and field', () => {
    const r = parseImport(csvToAccounts(`${header}\nacc_1,A,csm_a,,62,2026-11-01,,,,,,,,\nacc_2,B,csm_b,,high,2026-11-01,,,,,,,,\n`), 1);
    expect(r).toMatchObject({ ok: false, problems: [{ field: '[1].health.score' }] });
  });
  it('names unknown columns and missing required ones', () => {
    expect(() => csvToAccounts('accountId,name,csmId,colour\n')).toThrow(/unknown column\(s\) "colour"/);
    expect(() => csvToAccounts('accountId,name\n')).toThrow(/missing required column\(s\) csmId/);
  });
});
