import { z } from 'zod';
import { authConfigProblems, authEnv, commonEnv, ConfigError, parseEnv, port, serviceDatabaseUrl, type Env } from '@invoice-signal/runtime';

const ms = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

export const paymentTrackerEnv = {
  ...commonEnv,
  PORT: port(3005),
  /** Time after the due date before an unpaid invoice counts as overdue. */
  OVERDUE_GRACE_MS: ms(3_600_000),
  /** How often the durable overdue schedule is scanned. */
  OVERDUE_SCAN_INTERVAL_MS: ms(10_000, 10),
  /** Schedule rows claimed per scan transaction. */
  OVERDUE_SCAN_BATCH: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Longest wait between outbox drains when nothing wakes the drainer (other instances' changes). */
  OUTBOX_POLL_MS: ms(250, 10),
  /** Status records published per producer request. */
  OUTBOX_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Consumer group for billing.invoice.events.v1; a rebuild hands over a new one. Default `<ns>.payment-tracker.events`. */
  EVENTS_CONSUMER_GROUP: z.string().optional(),
  /** The product's one JWT policy (see the runtime's auth.ts); without a secret or JWKS URL the status API answers 503. */
  ...authEnv,
};

export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable. */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(paymentTrackerEnv, env);
  const problems = authConfigProblems(parsed, false);
  if (problems.length) throw new ConfigError(problems);
  return { ...parsed, databaseUrl: serviceDatabaseUrl('payment-tracker', env, parsed.DATABASE_URL) };
}
