import { z } from 'zod';
import { isTimeZone } from '@invoice-signal/events';
import { addressOrNetwork, commonEnv, ConfigError, csv, parseEnv, port, serviceDatabaseUrl, url, type Env } from '@invoice-signal/runtime';
import type { BillingTimeZones } from './domain/vendor-dates.ts';

const secret = z.string().min(8, 'must be at least 8 characters');
/** Requests per second; 0 turns the limit off. */
const perSecond = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const timeZone = z.string().refine(isTimeZone, 'expected an IANA time zone name, e.g. UTC, Europe/Paris, America/New_York');
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
  /** The secret in the outbound message endpoint URL (`…/salesforce?token=<it>`): the org id alone is no secret. */
  SALESFORCE_ENDPOINT_TOKEN: z.string().min(24, 'must be at least 24 characters').regex(/^[A-Za-z0-9._~-]+$/, 'use URL-safe characters only (A-Z a-z 0-9 . _ ~ -)'),
  /** SHA-256 fingerprints of the client certificate Salesforce sends, comma-separated; empty = not required. */
  SALESFORCE_CLIENT_CERT_SHA256: csv.pipe(z.array(z.string().regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'expected SHA-256 fingerprints (64 hex digits, colons allowed)'))).default([]),
  /** The header in which a trusted proxy that ended TLS passes the client certificate (URL-encoded PEM). */
  SALESFORCE_CLIENT_CERT_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/).default('x-client-cert'),
  /** Addresses or networks Salesforce delivers from (its published ranges), comma-separated; empty = any. */
  SALESFORCE_ALLOWED_IPS: csv.pipe(z.array(addressOrNetwork)).default([]),
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
  /** Vendor APIs: with a vendor's key set, its missed events are recovered and its history backfilled. */
  STRIPE_API_KEY: z.string().min(1).optional(),
  STRIPE_API_BASE_URL: url.optional(),
  CHARGEBEE_SITE: z.string().min(1).optional(),
  CHARGEBEE_API_KEY: z.string().min(1).optional(),
  CHARGEBEE_API_BASE_URL: url.optional(),
  /** How often each vendor's events API is read for deliveries that never arrived; 0 turns recovery off. */
  RECOVERY_INTERVAL_MS: z.coerce.number().int().min(0).default(5 * 60_000),
  /** Events younger than this are left to their webhook (still on its way, or being retried by the vendor). */
  RECOVERY_SETTLE_MS: z.coerce.number().int().min(0).default(10 * 60_000),
  /** Largest span of vendor time read in one run (a long outage is caught up window by window). */
  RECOVERY_MAX_WINDOW_MS: z.coerce.number().int().min(60_000).default(24 * 3600_000),
  /** Months of invoice history imported on a vendor's first connection; 0 turns the backfill off. */
  BACKFILL_MONTHS: z.coerce.number().int().min(0).max(120).default(12),
  /**
   * Days a receipt keeps its raw vendor payload (customer PII); 0 keeps payloads for ever. The
   * receipt itself stays: its dedupe key and canonical event (replay, duplicates, later mappings).
   */
  RECEIPT_PAYLOAD_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /** How often the retention job looks for payloads past their retention. */
  RECEIPT_PRUNE_INTERVAL_MS: z.coerce.number().int().min(100).default(3600_000),
  /** Payloads pruned per statement (each batch its own transaction). */
  RECEIPT_PRUNE_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
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
  if (parsed.CHARGEBEE_API_KEY && !parsed.CHARGEBEE_SITE && !parsed.CHARGEBEE_API_BASE_URL) throw new ConfigError(['CHARGEBEE_SITE: required with CHARGEBEE_API_KEY (the site name of <site>.chargebee.com) (not set)']);
  const billingTimeZones: BillingTimeZones = {
    salesforce: parsed.SALESFORCE_BILLING_TIME_ZONE ?? parsed.BILLING_TIME_ZONE,
    upload: parsed.UPLOAD_BILLING_TIME_ZONE ?? parsed.BILLING_TIME_ZONE,
    internal: parsed.INTERNAL_BILLING_TIME_ZONE ?? parsed.BILLING_TIME_ZONE,
  };
  return { ...parsed, billingTimeZones, databaseUrl: serviceDatabaseUrl('ingest-gateway', env, parsed.DATABASE_URL) };
}
