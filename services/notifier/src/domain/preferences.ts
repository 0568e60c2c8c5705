import type { DigestFrequency, QuietHours } from './time-zone.ts';

export type Channel = 'in_app' | 'slack' | 'email_digest';
export const channels: Channel[] = ['in_app', 'slack', 'email_digest'];
export type RiskLevel = 'none' | 'low' | 'medium' | 'high';
export const riskRank: Record<string, number> = { none: 0, low: 1, medium: 2, high: 3 };

/**
 * What a CSM hears and where. Minimum amounts are ISO minor units per currency, a floor below which
 * a channel is not used (`default` applies to any other currency). "High value" is not a preference:
 * it is the assessment's HIGH_VALUE flag.
 */
export interface Preferences {
  channels: Record<Channel, boolean>;
  minAmountMinor: Record<Channel, Record<string, number>>;
  /** Slack only for this risk level or higher, unless the invoice is high value (HIGH_VALUE flag). */
  slackMinRisk: RiskLevel;
  /** Only medium/high risk invoices and payment alerts are pushed (in-app live, Slack, digest). */
  riskOnly: boolean;
  quietHours: QuietHours | null;
  slackMaxPerHour: number;
  digest: { frequency: DigestFrequency; hour: number };
  /** Slack messages of one account arriving within this window go out as one message. 0 = off. */
  batchWindowSeconds: number;
  /** Overrides the zone the account's owner record carries. */
  timeZone: string | null;
}

export interface PreferenceDefaults {
  slackMinRisk: RiskLevel;
  digestMinAmountMinor: number;
  slackMaxPerHour: number;
  digestFrequency: DigestFrequency;
  digestHour: number;
  quietHours: string | undefined;
  batchWindowSeconds: number;
}

export function defaultPreferences(d: PreferenceDefaults): Preferences {
  const [start, end] = d.quietHours?.split('-') ?? [];
  return {
    channels: { in_app: true, slack: true, email_digest: true },
    minAmountMinor: { in_app: { default: 0 }, slack: { default: 0 }, email_digest: { default: d.digestMinAmountMinor } },
    slackMinRisk: d.slackMinRisk,
    riskOnly: false,
    quietHours: start ? { start, end } : null,
    slackMaxPerHour: d.slackMaxPerHour,
    digest: { frequency: d.digestFrequency, hour: d.digestHour },
    batchWindowSeconds: d.batchWindowSeconds,
    timeZone: null,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Stored overrides laid over the defaults, object by object (a stored null clears a value). */
export function mergePreferences<T>(base: T, patch: unknown): T {
  if (!isObject(base) || !isObject(patch)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = isObject(v) && isObject(out[k]) ? mergePreferences(out[k], v) : v;
  return out as T;
}

/** Minimum for a channel in a currency: the currency's own entry, else `default`. */
export function minimumFor(prefs: Preferences, channel: Channel, currency: string): number {
  const table = prefs.minAmountMinor[channel] ?? {};
  return table[currency] ?? table.default ?? 0;
}

const time = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' };
const amounts = {
  type: 'object',
  propertyNames: { pattern: '^([A-Z]{3}|default)$' },
  additionalProperties: { type: 'integer', minimum: 0 },
};

/** JSON schema of a preferences update (every field optional; unknown fields rejected). */
export const preferencesPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    channels: { type: 'object', additionalProperties: false, properties: { in_app: { type: 'boolean' }, slack: { type: 'boolean' }, email_digest: { type: 'boolean' } } },
    minAmountMinor: { type: 'object', additionalProperties: false, properties: { in_app: amounts, slack: amounts, email_digest: amounts } },
    slackMinRisk: { type: 'string', enum: ['none', 'low', 'medium', 'high'] },
    riskOnly: { type: 'boolean' },
    quietHours: { anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: false, required: ['start', 'end'], properties: { start: time, end: time } }] },
    slackMaxPerHour: { type: 'integer', minimum: 0, maximum: 1000 },
    digest: { type: 'object', additionalProperties: false, properties: { frequency: { type: 'string', enum: ['hourly', 'daily'] }, hour: { type: 'integer', minimum: 0, maximum: 23 } } },
    batchWindowSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
    timeZone: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$' }] },
  },
} as const;
