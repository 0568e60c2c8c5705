import { isIP } from 'node:net';
import { z } from 'zod';
import { instantOf, InvoiceSignalError } from '@invoice-signal/events';

/** Start-up configuration that does not parse. Lists every problem, naming each variable. */
export class ConfigError extends InvoiceSignalError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('CFG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Parses the environment once against a zod object whose keys are variable names. Empty strings
 * count as unset so `FOO=` falls back to the default.
 */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: Env = process.env): z.infer<z.ZodObject<S>> {
  const present = Object.fromEntries(Object.keys(shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const result = z.object(shape).safeParse(present);
  if (result.success) {
    const weak = env.NODE_ENV === 'production' ? weakSecrets(present) : [];
    if (weak.length) throw new ConfigError(weak);
    return result.data;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const given = present[name];
      return `${name}: ${issue.message}${given === undefined ? ' (not set)' : ` (got "${redact(name, given)}")`}`;
    }),
  );
}

/**
 * A zod transform through one of the shared parsers (dates, money), which throw with a reason: the
 * reason becomes the issue, less a leading "field: " (the issue's path names the field).
 */
export function parsedBy<I, O>(parse: (input: I) => O, path?: PropertyKey[]) {
  return (input: I, ctx: z.RefinementCtx<I>): O => {
    try {
      return parse(input);
    } catch (error) {
      const { message, field } = error as { message: string; field?: string };
      ctx.addIssue({ code: 'custom', path, message: field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message });
      return z.NEVER;
    }
  };
}

const notInstant = 'must be an ISO-8601 date or date-time, or epoch milliseconds';

/** Epoch milliseconds, or ISO-8601 text read by the shared parser: a date alone is the start of that day in `zone`. */
export const instantSchema = (zone: string) => z.union([z.int(notInstant).nonnegative(notInstant), z.string()], notInstant)
  .transform(parsedBy((v: number | string) => (typeof v === 'number' ? v : instantOf(v, zone))));

const secretish = /SECRET|PASSWORD|TOKEN|KEY/i;
const redact = (name: string, value: string) => (secretish.test(name) ? '***' : value);

/** Shorter than this, a secret can be guessed; production refuses it. */
export const minProductionSecretLength = 24;
/** What development, example and default values look like (npm start's all carry "dev"). */
const devLooking = /dev|default|change-?me|example|compose|test|sample|secret123|password|^(.)\1+$/i;

/**
 * With NODE_ENV=production a service refuses a secret that is too short or looks like a
 * development or default value, naming the variable (never the value). Comma-separated lists
 * (rotations) are judged item by item.
 */
export function weakSecrets(values: Env): string[] {
  return Object.entries(values)
    .filter(([name, value]) => value !== undefined && secretish.test(name) && !/_(FILE|URL|ID)$/.test(name))
    .flatMap(([name, value]) => {
      const items = value!.split(',').map((v) => v.trim()).filter(Boolean);
      if (items.some((v) => v.length < minProductionSecretLength)) return [`${name}: too short for production (at least ${minProductionSecretLength} characters)`];
      if (items.some((v) => devLooking.test(v))) return [`${name}: looks like a development or default value; set a generated secret in production`];
      return [];
    });
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
export const bool = (fallback: boolean) =>
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).default(fallback ? 'true' : 'false').transform((v) => ['true', '1', 'yes'].includes(v));
export const url = z.string().url();
/** An address (10.0.0.5) or a network (10.0.0.0/8, fd00::/8). */
export const addressOrNetwork = z.string().refine((s) => {
  const [address, bits, extra] = s.split('/');
  const family = isIP(address!);
  const max = family === 6 ? 128 : 32;
  return family !== 0 && extra === undefined && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max));
}, 'expected IP addresses or CIDR networks, comma-separated');

/** Variables every service reads. */
export const commonEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Append the JSON logs to this file instead of stdout. */
  LOG_FILE: z.string().optional(),
  HOST: z.string().default('0.0.0.0'),
  /** Port of /metrics and the detailed readiness; default the service port + 6000 (0: any free port). */
  MANAGEMENT_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Interface of the management port; default HOST. */
  MANAGEMENT_HOST: z.string().optional(),
  TOPIC_NAMESPACE: z.string().regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, dot, dash, underscore').default(''),
  KAFKA_BROKERS: csv.default(['localhost:9092']),
  KAFKA_SSL: bool(false),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  SCHEMA_REGISTRY_URL: url.default('http://localhost:8081/apis/ccompat/v7'),
  /** Partitions of the topics this service creates when missing; default: the catalogue's (6). */
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).optional(),
  /** A consumer that stops heartbeating (killed) loses its partitions after this long, ms. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300000).default(6000),
  /** Longest the broker holds a fetch with no data, ms (a record that arrives is handed over at once). */
  KAFKA_FETCH_MAX_WAIT_MS: z.coerce.number().int().min(10).max(5000).default(100),
  /** Bytes a fetch waits for (up to KAFKA_FETCH_MAX_WAIT_MS): more makes bigger batches at low rates, for a little latency. */
  KAFKA_FETCH_MIN_BYTES: z.coerce.number().int().min(1).max(10 * 1024 * 1024).default(1),
  DATABASE_URL: url.default('postgres://postgres@localhost:5433/postgres'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(15000),
  /** A request's headers must arrive within this, ms (slow-loris clients are cut off). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /** A whole request (headers and body) must arrive within this, ms. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /** An idle keep-alive connection is closed after this, ms. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(72_000),
  /** A connection with no traffic either way is closed after this, ms (live streams send a heartbeat well within it). */
  HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
  /** Refusals per second of unauthenticated requests per client address (burst 2 s worth) before it gets 429; 0 = off. */
  RATE_LIMIT_FAILED_AUTH_PER_IP: z.coerce.number().int().min(0).default(20),
  /** How many client addresses' failure budgets are remembered (least recently failed forgotten first). */
  RATE_LIMIT_TRACKED_IPS: z.coerce.number().int().min(100).default(10_000),
  /** Load balancers whose X-Forwarded-For is believed (addresses or CIDR networks); empty = the socket peer is the client. */
  TRUSTED_PROXIES: csv.pipe(z.array(addressOrNetwork)).default([]),
  /** PEM files to serve HTTPS directly (TLS ending at the service); client certificates are requested, not required. */
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
};

export type CommonConfig = z.infer<z.ZodObject<typeof commonEnv>>;

/**
 * Each service owns its database: <SERVICE>_DATABASE_URL when given, else DATABASE_URL with
 * the database name replaced by invoice_signal_<service>.
 */
export function serviceDatabaseUrl(service: string, env: Env, base: string): string {
  const own = env[`${service.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`];
  if (own) return own;
  const u = new URL(base);
  u.pathname = `/invoice_signal_${service.replaceAll('-', '_')}`;
  return u.toString();
}
