import { describe, expect, it } from 'vitest';
import { csvToAccounts, CsvImportError } from './csv-accounts.ts';
import { parseImport } from './context-import.ts';

describe('CSV parsing (csv-parse through the runtime)', () => {
  it('refuses an unterminated quote', () => {
    expect(() => csvToAccounts('accountId,name,csmId\n"open')).toThrow(CsvImportError);
    expect(() => csvToAccounts('accountId,name,csmId\n"open')).toThrow(/Quote Not Closed/);
  });
  it('names the line a bad row starts on, even after a cell that spans lines', () => {
    const text = 'accountId,name,csmId\r\nacc_1,"Acme\nHoldings",csm_a\r\nacc_2,Beta\r\n';
    expect(() => csvToAccounts(text)).toThrow('line 4 has 2 cells, the header has 3');
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
