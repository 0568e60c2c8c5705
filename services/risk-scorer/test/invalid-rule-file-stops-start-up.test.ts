import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@invoice-signal/runtime';
import { stackEndpoints } from '@invoice-signal/testkit';
import { defaultRulesFile } from '../src/adapters/rules-file.ts';
import { loadConfig } from '../src/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'risk-rules-'));
function ruleFile(name: string, edit: (rules: any) => void): string {
  const rules = JSON.parse(readFileSync(defaultRulesFile, 'utf8'));
  edit(rules);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(rules));
  return path;
}

describe('the rule file is validated at start-up', () => {
  it('loads the shipped rules by default and another file from RISK_RULES_FILE', () => {
    expect(loadConfig({}).rules.version).toMatch(/^v1\+/);
    const v2 = ruleFile('v2.json', (r) => (r.version = 'v2'));
    expect(loadConfig({ RISK_RULES_FILE: v2 }).rules.version).toMatch(/^v2\+[0-9a-f]{8}$/);
  });

  it.each([
    { name: 'a negative threshold', edit: (r: any) => (r.flags.AMOUNT_CHANGE.increasePercent = -5), says: 'flags.AMOUNT_CHANGE.increasePercent' },
    { name: 'an unknown flag in an escalation', edit: (r: any) => r.scoring.escalations.push({ name: 'x', allOf: ['LATE_PAYMENT'], atLeast: 'high' }), says: 'scoring.escalations.2.allOf.0' },
  ])('refuses $name, naming the variable, the file and the field', ({ edit, says }) => {
    const path = ruleFile(`${says}.json`, edit);
    expect(() => loadConfig({ RISK_RULES_FILE: path })).toThrow(ConfigError);
    expect(() => loadConfig({ RISK_RULES_FILE: path })).toThrow(`RISK_RULES_FILE: invalid risk rules in ${path}`);
    expect(() => loadConfig({ RISK_RULES_FILE: path })).toThrow(says);
  });

  it('refuses a missing file', () => {
    expect(() => loadConfig({ RISK_RULES_FILE: join(dir, 'nope.json') })).toThrow(/RISK_RULES_FILE: invalid risk rules in .*nope\.json:\n {2}- ENOENT/);
  });

  it('the process exits with EX_CONFIG (78) and the reason, before touching the stack', () => {
    const path = ruleFile('bad-severity.json', (r) => (r.flags.HIGH_VALUE.severity = 'huge'));
    const main = join(import.meta.dirname, '..', 'src', 'main.ts');
    const run = spawnSync(process.execPath, [main], { env: { ...process.env, ...stackEndpoints(), RISK_RULES_FILE: path }, encoding: 'utf8', timeout: 20000 });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('flags.HIGH_VALUE.severity');
  });
});
