import { commonEnv, parseEnv, port, serviceDatabaseUrl, type Env } from '@invoice-signal/runtime';

export const paymentTrackerEnv = {
  ...commonEnv,
  PORT: port(3005),
};

export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable. */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(paymentTrackerEnv, env);
  return { ...parsed, databaseUrl: serviceDatabaseUrl('payment-tracker', env, parsed.DATABASE_URL) };
}
