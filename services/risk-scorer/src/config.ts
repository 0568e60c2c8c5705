import { z } from 'zod';
import { commonEnv, ConfigError, parseEnv, port, serviceDatabaseUrl, type Env } from '@invoice-signal/runtime';
import { defaultRulesFile, loadRulesFile } from './adapters/rules-file.ts';

export const riskScorerEnv = {
  ...commonEnv,
  PORT: port(3003),
  /** The versioned rule configuration (JSON, validated at start-up). */
  RISK_RULES_FILE: z.string().default(defaultRulesFile),
  /** Partitions of billing.invoice.enriched.v1 assessed in parallel; order is kept within each. */
  RISK_CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
};

export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable (or the rule file and its field). */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(riskScorerEnv, env);
  let rules;
  try {
    rules = loadRulesFile(parsed.RISK_RULES_FILE);
  } catch (error) {
    throw new ConfigError([`RISK_RULES_FILE: ${(error as Error).message}`]);
  }
  return { ...parsed, rules, databaseUrl: serviceDatabaseUrl('risk-scorer', env, parsed.DATABASE_URL) };
}
