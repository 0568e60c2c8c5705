import { commonEnv, parseEnv, port, serviceDatabaseUrl, type Env } from '@invoice-signal/runtime';

export const notifierEnv = {
  ...commonEnv,
  PORT: port(3004),
};

export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable. */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(notifierEnv, env);
  return { ...parsed, databaseUrl: serviceDatabaseUrl('notifier', env, parsed.DATABASE_URL) };
}
