import { z } from 'zod';
import { commonEnv, parseEnv, port, serviceDatabaseUrl, type Env } from '@invoice-signal/runtime';

/** The enricher's own variables (besides commonEnv and PORT). */
export const enricherOwnEnv = {
  /** Bearer token of POST /api/context/accounts. A secret: no default. */
  CONTEXT_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  /** Who owns invoices of accounts we cannot match yet. */
  FALLBACK_CSM_ID: z.string().min(1).default('csm_triage'),
  FALLBACK_CSM_EMAIL: z.email().optional(),
  FALLBACK_CSM_SLACK_USER_ID: z.string().min(1).optional(),
  PAYMENT_HISTORY_MONTHS: z.coerce.number().int().min(1).max(60).default(12),
  HEALTH_TREND_WINDOW_DAYS: z.coerce.number().int().min(1).max(730).default(90),
  HEALTH_TREND_MIN_DELTA: z.coerce.number().int().min(1).max(100).default(5),
};

export const enricherEnv = { ...commonEnv, PORT: port(3002), ...enricherOwnEnv };

export type EnricherSettings = ReturnType<typeof enricherSettings>;
export type Config = ReturnType<typeof loadConfig>;

/** The enricher-specific part, parsed from the environment (tests merge it into a test config). */
export function enricherSettings(env: Env) {
  const s = parseEnv(enricherOwnEnv, env);
  return {
    ...s,
    fallbackOwner: { id: s.FALLBACK_CSM_ID, email: s.FALLBACK_CSM_EMAIL ?? null, slackUserId: s.FALLBACK_CSM_SLACK_USER_ID ?? null, timeZone: null, team: null },
  };
}

/** Parsed once at start-up; a problem names the variable. */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(enricherEnv, env);
  return { ...parsed, ...enricherSettings(env), databaseUrl: serviceDatabaseUrl('enricher', env, parsed.DATABASE_URL) };
}
