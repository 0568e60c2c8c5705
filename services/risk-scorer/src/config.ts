import { z } from 'zod';
import { commonEnv, ConfigError, parseEnv, port, serviceDatabaseUrl, type Env } from '@invoice-signal/runtime';
import { defaultFxRatesFile, defaultRulesFile, loadRulesFile, readJson } from './adapters/rules-file.ts';
import { highValuePolicySchema, parseRateOverrides, type HighValuePolicy } from './domain/high-value.ts';

export const riskScorerEnv = {
  ...commonEnv,
  PORT: port(3003),
  /** The versioned rule configuration (JSON, validated at start-up). */
  RISK_RULES_FILE: z.string().default(defaultRulesFile),
  /** Partitions of billing.invoice.enriched.v1 assessed in parallel; order is kept within each. */
  RISK_CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  /** "High value" (HIGH_VALUE flag, and so Slack routing): amount due worth at least this much of the reference currency. */
  HIGH_VALUE_THRESHOLD: z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount in major units, such as 10000').default('10000'),
  HIGH_VALUE_REFERENCE_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code in upper case').default('USD'),
  /** JSON FX table: { base, asOf, rates: { CODE: value of one unit in base } }. */
  HIGH_VALUE_FX_RATES_FILE: z.string().default(defaultFxRatesFile),
  /** Single rates over the table's: "EUR=1.09,SEK=0.1". */
  HIGH_VALUE_FX_RATES: z.string().optional(),
};

export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable (or the rule file and its field). */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(riskScorerEnv, env);
  const highValue = highValuePolicy(parsed);
  let rules: ReturnType<typeof loadRulesFile>;
  try {
    rules = loadRulesFile(parsed.RISK_RULES_FILE, highValue);
  } catch (error) {
    throw new ConfigError([`RISK_RULES_FILE: ${(error as Error).message}`]);
  }
  return { ...parsed, rules, databaseUrl: serviceDatabaseUrl('risk-scorer', env, parsed.DATABASE_URL) };
}

const variableOf: Record<string, string> = { threshold: 'HIGH_VALUE_THRESHOLD', fx: 'HIGH_VALUE_FX_RATES_FILE' };

/** The high-value threshold and FX table, validated: a problem names the variable (and the table's field). */
function highValuePolicy(parsed: { HIGH_VALUE_THRESHOLD: string; HIGH_VALUE_REFERENCE_CURRENCY: string; HIGH_VALUE_FX_RATES_FILE: string; HIGH_VALUE_FX_RATES?: string }): HighValuePolicy {
  let fx: Record<string, unknown>;
  let overrides: Record<string, string> = {};
  try {
    fx = readJson(parsed.HIGH_VALUE_FX_RATES_FILE) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError([`HIGH_VALUE_FX_RATES_FILE: cannot read ${parsed.HIGH_VALUE_FX_RATES_FILE}: ${(error as Error).message}`]);
  }
  try {
    overrides = parseRateOverrides(parsed.HIGH_VALUE_FX_RATES ?? '');
  } catch (error) {
    throw new ConfigError([`HIGH_VALUE_FX_RATES: ${(error as Error).message}`]);
  }
  const candidate = {
    threshold: { amount: parsed.HIGH_VALUE_THRESHOLD, currency: parsed.HIGH_VALUE_REFERENCE_CURRENCY },
    fx: { ...fx, rates: { ...(fx?.rates as object), ...overrides } },
  };
  const result = highValuePolicySchema.safeParse(candidate);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => {
    const [head, ...rest] = i.path.map(String);
    const variable = head === 'threshold' && rest[0] === 'currency' ? 'HIGH_VALUE_REFERENCE_CURRENCY'
      : head === 'fx' && rest[0] === 'rates' && overrides[rest[1]!] !== undefined ? 'HIGH_VALUE_FX_RATES' : variableOf[head!]!;
    return `${variable}: ${[head, ...rest].join('.')}: ${i.message}`;
  }));
}
