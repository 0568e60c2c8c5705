import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHighValuePolicy, defaultRulesFile, loadRulesFile } from '../adapters/rules-file.ts';
import { parseRules, RulesInvalidError } from './rules.ts';

/** The shipped file as the service parses it: with the configured high-value threshold and FX table. */
const shipped = () => {
  const json = JSON.parse(readFileSync(defaultRulesFile, 'utf8'));
  json.flags.HIGH_VALUE = { ...json.flags.HIGH_VALUE, ...defaultHighValuePolicy() };
  return json;
};

describe('the rule configuration', () => {
  it('the shipped file is valid and its version carries a content hash', () => {
    const rules = parseRules(shipped());
    expect(rules.version).toMatch(/^v1\+[0-9a-f]{8}$/);
  });

  it('the same content gives the same version; an edit without a version bump gives another', () => {
    const a = parseRules(shipped());
    const edited = shipped();
    edited.flags.AMOUNT_CHANGE.increasePercent = 30;
    expect(parseRules(shipped()).version).toBe(a.version);
    expect(parseRules(edited).version).not.toBe(a.version);
    expect(parseRules(edited).version.startsWith('v1+')).toBe(true);
    const newRate = shipped();
    newRate.flags.HIGH_VALUE.fx.rates.EUR = '1.2';
    expect(parseRules(newRate).version).not.toBe(a.version); // the rates a decision used are part of its rule version
  });

  it('refuses a rule file that sets the high-value threshold or rates itself (they are configuration)', () => {
    const file = join(tmpdir(), `rules-${process.pid}.json`);
    const json = JSON.parse(readFileSync(defaultRulesFile, 'utf8'));
    json.flags.HIGH_VALUE.threshold = { amount: '5000', currency: 'EUR' };
    writeFileSync(file, JSON.stringify(json));
    expect(() => loadRulesFile(file)).toThrow('flags.HIGH_VALUE.threshold: set by HIGH_VALUE_THRESHOLD');
  });

  it.each([
    { edit: (r: any) => delete r.flags.HIGH_VALUE, field: 'flags.HIGH_VALUE' },
    { edit: (r: any) => (r.flags.AMOUNT_CHANGE.increasePercnt = 10), field: 'flags.AMOUNT_CHANGE' },
    { edit: (r: any) => (r.flags.HEALTH_DECLINING.floorScore = 120), field: 'flags.HEALTH_DECLINING.floorScore' },
    { edit: (r: any) => (r.flags.HIGH_VALUE.fx.rates.eur = '1.1'), field: 'flags.HIGH_VALUE.fx.rates.eur' },
    { edit: (r: any) => (r.flags.HIGH_VALUE.threshold.currency = 'CUP'), field: 'flags.HIGH_VALUE.threshold.currency' },
    { edit: (r: any) => (r.scoring.levels.medium = 5), field: 'scoring.levels' },
    { edit: (r: any) => (r.scoring.escalations[0].allOf = ['NOT_A_FLAG']), field: 'scoring.escalations.0.allOf.0' },
    { edit: (r: any) => (r.flags.FIRST_INVOICE.severity = 'critical'), field: 'flags.FIRST_INVOICE.severity' },
    { edit: (r: any) => (r.flags.LATE_PAYMENT_HISTORY.minLatePayments = 2), field: 'flags.LATE_PAYMENT_HISTORY' },
    { edit: (r: any) => delete r.flags.FIRST_INVOICE.contractGraceDays, field: 'flags.FIRST_INVOICE.contractGraceDays' },
  ])('rejects a broken file naming $field', ({ edit, field }) => {
    const broken = shipped();
    edit(broken);
    let error: unknown;
    try {
      parseRules(broken, 'rules.test.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RulesInvalidError);
    expect((error as RulesInvalidError).code).toBe('RISK_RULES_INVALID');
    expect((error as RulesInvalidError).problems.some((p) => p.startsWith(`${field}:`))).toBe(true);
    expect((error as Error).message).toContain('invalid risk rules in rules.test.json');
  });
});
