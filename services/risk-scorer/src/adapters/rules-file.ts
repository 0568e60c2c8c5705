import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseRules, RulesInvalidError, type Rules } from '../domain/rules.ts';

/** The rules shipped with the service; RISK_RULES_FILE points elsewhere. */
export const defaultRulesFile = resolve(import.meta.dirname, '..', '..', 'rules', 'rules.v1.json');

/** Reads and validates a rule file; every problem names the file and the field. */
export function loadRulesFile(path: string): Rules {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RulesInvalidError(path, [(error as Error).message]);
  }
  return parseRules(json, path);
}
