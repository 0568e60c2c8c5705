import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagCodes } from '../src/domain/rules.ts';
import { shippedRules } from './support/domain-fixtures.ts';
import { loadScenarioFiles, scenarioInput, scenarioProblems } from './support/scenarios.ts';

// Pure: the scenario files are read once, then every case is assessed in memory with the shipped rules.
const files = loadScenarioFiles(resolve(import.meta.dirname, '..', 'scenarios'));
const all = files.flatMap((f) => f.scenarios);

describe.each(files)('CSM scenarios of $file', ({ scenarios }) => {
  it.each(scenarios)('$name: $description', (scenario) => {
    expect(scenarioProblems(scenario, shippedRules), `scenario "${scenario.name}"`).toEqual([]);
  });
});

describe('the scenario set', () => {
  it('has at least 30 cases with unique names', () => {
    expect(all.length).toBeGreaterThanOrEqual(30);
    expect(new Set(all.map((s) => s.name)).size).toBe(all.length);
  });

  it('covers every flag both ways: expected in one case, forbidden in another', () => {
    const uncovered = flagCodes.flatMap((code) => [
      ...(all.some((s) => s.expect.includes(code)) ? [] : [`${code} never expected`]),
      ...(all.some((s) => s.mustNot.includes(code)) ? [] : [`${code} never forbidden`]),
    ]);
    expect(uncovered).toEqual([]);
  });

  it('covers every payment-history rating, unmatched accounts and strategic value prompts', () => {
    const inputs = all.map(scenarioInput);
    expect(new Set(inputs.map((i) => i.enriched.paymentHistory.classification))).toEqual(new Set(['excellent', 'good', 'fair', 'poor']));
    expect(inputs.some((i) => !i.enriched.matched)).toBe(true);
    expect(all.some((s) => s.context?.tier === 'strategic' && s.expectPrompts.length > 0)).toBe(true);
  });

  it('a wrong expectation fails, naming the scenario and the flag', () => {
    const wrong = { ...all.find((s) => s.mustNot.includes('FIRST_INVOICE'))! };
    wrong.expect = [...wrong.expect, 'FIRST_INVOICE'];
    wrong.mustNot = wrong.mustNot.filter((c) => c !== 'FIRST_INVOICE');
    expect(scenarioProblems(wrong, shippedRules)).toContainEqual(expect.stringMatching(/^expected FIRST_INVOICE, not raised/));
  });
});
