import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImport } from '../src/domain/context-import.ts';
import { csvToAccounts } from '../src/domain/csv-accounts.ts';

const demo = (file: string) => readFileSync(join(import.meta.dirname, '..', 'demo', file), 'utf8');

describe('the demo seed files', () => {
  it('accounts.json (POSTed by npm start) passes the import validation with mixed tiers, CSMs and vendor references', () => {
    const r = parseImport(JSON.parse(demo('accounts.json')), Date.now());
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.snapshots.length).toBeGreaterThanOrEqual(6);
    expect(new Set(r.snapshots.map((s) => s.csm.id))).toEqual(new Set(['csm_alice', 'csm_bob', 'csm_carol']));
    expect(new Set(r.snapshots.map((s) => s.contract?.tier))).toEqual(new Set(['strategic', 'standard']));
    const refs = r.snapshots.flatMap((s) => Object.values(s.vendorRefs).filter(Boolean)) as string[];
    expect(refs.some((x) => x.startsWith('cus_demo_')) && refs.some((x) => x.startsWith('cb_demo_')) && refs.some((x) => x.startsWith('001DEMO'))).toBe(true);
  });

  it('accounts.csv (the CSV template) passes it too', () => {
    const r = parseImport(csvToAccounts(demo('accounts.csv')), Date.now());
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.snapshots.length).toBe(2);
  });
});
