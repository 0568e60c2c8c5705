import { z } from 'zod';
import { instantOf } from '@invoice-signal/events';
import { authConfigProblems, authEnv, commonEnv, ConfigError, parseEnv, parsedBy, port, serviceDatabaseUrl, url, type Env } from '@invoice-signal/runtime';
import { isTimeZone } from './domain/time-zone.ts';

const minor = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;

export const notifierEnv = {
  ...commonEnv,
  PORT: port(3004),
  /** The product's one JWT policy (packages/runtime/src/auth.ts); a secret or a JWKS URL is required here. */
  ...authEnv,
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  SLACK_API_URL: url.default('https://slack.com/api/'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL').optional(),
  DIGEST_FROM: z.string().min(3).optional(),
  PUBLIC_URL: url.default('http://localhost:3004'),
  /** Default thresholds; each CSM may override them through the preferences API. High value is the assessment's HIGH_VALUE flag. */
  SLACK_MIN_RISK: z.enum(['none', 'low', 'medium', 'high']).default('high'),
  DIGEST_MIN_AMOUNT_MINOR: minor(0),
  SLACK_MAX_PER_HOUR: z.coerce.number().int().min(0).default(10),
  DIGEST_FREQUENCY: z.enum(['hourly', 'daily']).default('daily'),
  DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(8),
  DEFAULT_TIME_ZONE: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Paris').default('UTC'),
  QUIET_HOURS: z.string().regex(/^\d\d:\d\d-\d\d:\d\d$/, 'HH:MM-HH:MM').refine((v) => v.split('-').every((p) => hhmm.test(p)), 'valid times').optional(),
  BATCH_WINDOW_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** How often the delivery workers look for due Slack messages and digests. */
  DELIVERY_TICK_MS: z.coerce.number().int().min(50).default(1000),
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  DELIVERY_BACKOFF_MS: z.coerce.number().int().min(10).default(2000),
  SLACK_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** Live streams one principal (token subject) may hold open on an instance; beyond it 429. */
  STREAM_MAX_PER_USER: z.coerce.number().int().min(1).max(1000).default(5),
  /** Invoices issued before it are the on-time baseline; default: the notifier's first notification. */
  OUTCOMES_GO_LIVE_DATE: z.string().transform(parsedBy((v: string) => instantOf(v, 'UTC'))).optional(),
  /** The weekly outcomes e-mail: managers' addresses, comma separated (off when unset; needs SMTP_URL). */
  OUTCOMES_WEEKLY_TO: z.string().transform((v) => v.split(',').map((a) => a.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((a) => /^[^\s@,]+@[^\s@,]+$/.test(a)), 'comma-separated e-mail addresses').optional(),
  OUTCOMES_WEEKLY_DAY: z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']).default('mon'),
  /** Local hour (DEFAULT_TIME_ZONE) on OUTCOMES_WEEKLY_DAY when the weekly outcomes e-mail goes out. */
  OUTCOMES_WEEKLY_HOUR: z.coerce.number().int().min(0).max(23).default(8),
};


export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable. */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(notifierEnv, env);
  const problems: string[] = [];
  problems.push(...authConfigProblems(parsed, true));
  if (parsed.SLACK_BOT_TOKEN && !parsed.SLACK_SIGNING_SECRET) problems.push('SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set, to verify Slack interactivity (not set)');
  if (parsed.SMTP_URL && !parsed.DIGEST_FROM) problems.push('DIGEST_FROM: required when SMTP_URL is set (not set)');
  if (parsed.OUTCOMES_WEEKLY_TO && !parsed.SMTP_URL) problems.push('OUTCOMES_WEEKLY_TO: needs SMTP_URL to send the weekly outcomes e-mail (not set)');
  if (problems.length) throw new ConfigError(problems);
  return { ...parsed, outcomesGoLiveAt: parsed.OUTCOMES_GO_LIVE_DATE ?? null, databaseUrl: serviceDatabaseUrl('notifier', env, parsed.DATABASE_URL) };
}
