import { isIP } from 'node:net';
import { z } from 'zod';
import { isTimeZone } from '@invoice-signal/events';
import { commonEnv, csv, parseEnv, port, serviceDatabaseUrl, url, type Env } from '@invoice-signal/runtime';
import type { BillingTimeZones } from './domain/vendor-dates.ts';

const secret = z.string().min(8, 'must be at least 8 characters');
/** Requests per second; 0 turns the limit off. */
const perSecond = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const timeZone = z.string().refine(isTimeZone, 'expected an IANA time zone name, e.g. UTC, Europe/Paris, America/New_York');
/** An address (10.0.0.5) or a network (10.0.0.0/8, fd00::/8). */
const addressOrNetwork = z.string().refine((s) => {
  const [address, bits, extra] = s.split('/');
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  return family !== 0 && extra === undefined && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max));
}, 'expected IP addresses or CIDR networks, comma-separated');

export const ingestGatewayEnv = {
  ...commonEnv,
  PORT: port(3001),
  /** Stripe endpoint secrets, comma-separated: during a rotation both the old and the new one verify. */
  STRIPE_WEBHOOK_SECRET: csv.pipe(z.array(z.string().min(8)).min(1, 'needs at least one secret')),
  /** Seconds a Stripe-Signature timestamp may be old before the delivery counts as a replay. */
  STRIPE_TOLERANCE_SECONDS: z.coerce.number().int().min(1).default(300),
  CHARGEBEE_WEBHOOK_USERNAME: z.string().min(1),
  CHARGEBEE_WEBHOOK_PASSWORD: secret,
  SALESFORCE_ORG_ID: z.string().regex(/^00D[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/, 'a Salesforce organisation id (00D…, 15 or 18 characters)'),
  /** Bearer token of internal callers (canonical JSON, uploads). */
  INGEST_API_TOKEN: secret,
  /** How long a delivery waits for the broker's ack before it is answered 503. */
  PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).default(8000),
  /** Largest webhook body, bytes. */
  WEBHOOK_BODY_LIMIT: z.coerce.number().int().min(1024).default(256 * 1024),
  /** Largest upload body, bytes. */
  UPLOAD_BODY_LIMIT: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  /**
   * Authenticated requests per second per source (burst = 2 s worth); 0 = no limit. Verified
   * vendor deliveries are not limited by default: Kafka is the buffer, and every 429 makes the
   * vendor retry hours later. Uploads (up to thousands of rows each) keep a limit.
   */
  RATE_LIMIT_STRIPE: perSecond(0),
  RATE_LIMIT_CHARGEBEE: perSecond(0),
  RATE_LIMIT_SALESFORCE: perSecond(0),
  RATE_LIMIT_INTERNAL: perSecond(0),
  RATE_LIMIT_UPLOAD: perSecond(5),
  /**
   * Failed authentications (bad signature, credentials, token; anything refused before the sender
   * was authenticated) per second per client address, burst 2 s worth; 0 = no limit. Over it the
   * client gets 429 before any verification work is done.
   */
  RATE_LIMIT_FAILED_AUTH_PER_IP: perSecond(20),
  /** How many client addresses' failure budgets are remembered (least recently failed forgotten first). */
  RATE_LIMIT_TRACKED_IPS: z.coerce.number().int().min(100).default(10_000),
  /** Load balancers whose X-Forwarded-For is believed (addresses or CIDR networks); empty = the socket peer is the client. */
  TRUSTED_PROXIES: csv.pipe(z.array(addressOrNetwork)).default([]),
  /** Reconciliation: off unless an interval is set; each vendor only when its API key is set. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(0),
  RECONCILE_LOOKBACK_MS: z.coerce.number().int().min(60_000).default(3 * 24 * 3600 * 1000),
  STRIPE_API_KEY: z.string().optional(),
  STRIPE_API_BASE_URL: url.optional(),
  CHARGEBEE_SITE: z.string().optional(),
  CHARGEBEE_API_KEY: z.string().optional(),
  CHARGEBEE_API_BASE_URL: url.optional(),
  /**
   * Zone of the billing entity in which a date-only date (a due date without time of day) is read:
   * a due date runs to the end of that local day. Per-source overrides win; the enricher moves it
   * to the account's own billingTimeZone when the account has one.
   */
  BILLING_TIME_ZONE: timeZone.default('UTC'),
  SALESFORCE_BILLING_TIME_ZONE: timeZone.optional(),
  UPLOAD_BILLING_TIME_ZONE: timeZone.optional(),
  INTERNAL_BILLING_TIME_ZONE: timeZone.optional(),
};

export type Config = ReturnType<typeof loadConfig>;

/** Parsed once at start-up; a problem names the variable. Secrets have no defaults. */
export function loadConfig(env: Env = process.env) {
  const parsed = parseEnv(ingestGatewayEnv, env);
  const billingTimeZones: BillingTimeZones = {
    salesforce: parsed.SALESFORCE_BILLING_TIME_ZONE ?? parsed.BILLING_TIME_ZONE,
    upload: parsed.UPLOAD_BILLING_TIME_ZONE ?? parsed.BILLING_TIME_ZONE,
    internal: parsed.INTERNAL_BILLING_TIME_ZONE ?? parsed.BILLING_TIME_ZONE,
  };
  return { ...parsed, billingTimeZones, databaseUrl: serviceDatabaseUrl('ingest-gateway', env, parsed.DATABASE_URL) };
}
