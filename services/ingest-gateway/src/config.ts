import { commonEnv, parseEnv, port, serviceDatabaseUrl, type Env } from '@invoice-signal/runtime';

export const ingestGatewayEnv = {
  ...commonEnv,
  PORT: port(3001),
};

export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable. */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(ingestGatewayEnv, env);
  return { ...parsed, databaseUrl: serviceDatabaseUrl('ingest-gateway', env, parsed.DATABASE_URL) };
}
