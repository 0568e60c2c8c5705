import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HighValuePolicy } from '../domain/high-value.ts';
import { parseRules, RulesInvalidError, type Rules } from '../domain/rules.ts';

/** The rules shipped with the service; RISK_RULES_FILE points elsewhere. */
export const defaultRulesFile = resolve(import.meta.dirname, '..', '..', 'rules', 'rules.v1.json');

/** The approximate FX table shipped with the service; HIGH_VALUE_FX_RATES_FILE points elsewhere. */
export const defaultFxRatesFile = resolve(import.meta.dirname, '..', '..', 'rules', 'fx-rates.json');

/** The shipped high-value policy: USD 10,000 with the shipped FX table (the defaults of the configuration). */
export const defaultHighValuePolicy = (): HighValuePolicy => ({ threshold: { amount: '10000', currency: 'USD' }, fx: readJson(defaultFxRatesFile) as HighValuePolicy['fx'] });

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Reads and validates a rule file; every problem names the file and the field. The high-value
 * threshold and FX table come from the configuration, not the file, and are recorded in the rule
 * set (and so in its version hash): an assessment can be explained with the rates it used.
 */
export function loadRulesFile(path: string, highValue: HighValuePolicy = defaultHighValuePolicy()): Rules {
  let json: { flags?: { HIGH_VALUE?: Record<string, unknown> } };
  try {
    json = readJson(path) as typeof json;
  } catch (error) {
    throw new RulesInvalidError(path, [(error as Error).message]);
  }
  const hv = json?.flags?.HIGH_VALUE;
  if (hv && typeof hv === 'object') {
    const set = ['threshold', 'fx'].filter((k) => k in hv);
    if (set.length) throw new RulesInvalidError(path, set.map((k) => `flags.HIGH_VALUE.${k}: set by HIGH_VALUE_THRESHOLD, HIGH_VALUE_REFERENCE_CURRENCY and HIGH_VALUE_FX_RATES(_FILE), not in the rule file`));
    json.flags!.HIGH_VALUE = { ...hv, ...highValue };
  }
  return parseRules(json, path);
}
