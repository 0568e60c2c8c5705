import { commonEnv, parseEnv, port, serviceDatabaseUrl, type Env } from '@invoice-signal/runtime';

export const enricherEnv = {
  ...commonEnv,
  PORT: port(3002),
};

export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable. */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(enricherEnv, env);
  return { ...parsed, databaseUrl: serviceDatabaseUrl('enricher', env, parsed.DATABASE_URL) };
}
