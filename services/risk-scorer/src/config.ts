import { commonEnv, parseEnv, port, serviceDatabaseUrl, type Env } from '@invoice-signal/runtime';

export const riskScorerEnv = {
  ...commonEnv,
  PORT: port(3003),
};

export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable. */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(riskScorerEnv, env);
  return { ...parsed, databaseUrl: serviceDatabaseUrl('risk-scorer', env, parsed.DATABASE_URL) };
}
