import { z } from 'zod';
import { isCurrency, isTimeZone, type CustomerContext } from '@invoice-signal/events';
import { instantSchema } from '@invoice-signal/runtime';
import { UNMATCHED_PREFIX } from './account-resolution.ts';

/** Where an import came from, recorded as the snapshot's origin (`?origin=` on the API). */
export const importOrigins = ['import-api', 'csv'] as const;

/** Most accounts one import request may carry (the body limit bounds it too). */
export const MAX_ACCOUNTS_PER_IMPORT = 5000;

const text = z.string().trim().min(1, 'must not be empty').max(500, 'at most 500 characters');
const optionalText = text.nullish().transform((v) => v ?? null);
const count = z.int('must be a whole number').min(0, 'must be 0 or more');

/** An instant: ISO-8601 date (`2026-11-01`, midnight UTC) or date-time with zone, or epoch milliseconds. */
const instant = instantSchema('UTC');
const optionalInstant = instant.nullish().transform((v) => v ?? null);

const score = z.int('must be a whole number').min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100');

export const accountSchema = z.strictObject({
  accountId: text.refine((id) => !id.startsWith(UNMATCHED_PREFIX), `must not start with "${UNMATCHED_PREFIX}" (reserved for unmatched invoices)`),
  name: text,
  csm: z.strictObject({
    id: text,
    email: z.email('must be an email address').nullish().transform((v) => v ?? null),
    slackUserId: optionalText,
    timeZone: optionalText.refine((tz) => tz === null || isTimeZone(tz), 'must be an IANA time zone such as Europe/Paris'),
  }),
  health: z.strictObject({
    score,
    asOf: instant,
    history: z.array(z.strictObject({ score, asOf: instant })).max(400).default([]),
  }).nullish().transform((v) => v ?? null),
  contract: z.strictObject({
    arrMinor: z.int('must be a whole number of minor units').min(0, 'must be 0 or more'),
    currency: z.string().refine((c) => /^[A-Z]{3}$/.test(c) && isCurrency(c), 'must be an ISO 4217 code in upper case, e.g. EUR'),
    startDate: optionalInstant,
    endDate: optionalInstant,
    renewalDate: optionalInstant,
    plan: optionalText,
    tier: z.enum(['strategic', 'standard'], 'must be "strategic" or "standard"'),
  }).nullish().transform((v) => v ?? null),
  supportIssues: z.strictObject({
    open: count,
    last30d: count,
    recent: z.array(z.strictObject({ id: text, title: text, severity: optionalText, openedAt: optionalInstant, open: z.boolean().default(true) })).max(100).default([]),
  }).default({ open: 0, last30d: 0, recent: [] }),
  disputes: z.strictObject({ count, lastAt: optionalInstant }).default({ count: 0, lastAt: null }),
  valueDelivered: z.array(z.strictObject({ metric: text, value: z.number().finite(), unit: text, period: text })).max(100).default([]),
  vendorRefs: z.strictObject({ stripeCustomerId: optionalText, chargebeeCustomerId: optionalText, salesforceAccountId: optionalText })
    .default({ stripeCustomerId: null, chargebeeCustomerId: null, salesforceAccountId: null }),
  /** When the source took the snapshot; the import time when absent. */
  snapshotAt: optionalInstant,
  /** Zone of the account's billing entity: its date-only due dates run to the end of the day there. */
  billingTimeZone: optionalText.refine((tz) => tz === null || isTimeZone(tz), 'must be an IANA time zone such as America/Los_Angeles'),
});

export type AccountImport = z.output<typeof accountSchema>;

export interface FieldProblem {
  /** Where in the body, e.g. `[2].health.score`. */
  field: string;
  message: string;
}

export const importBodySchema = z.array(accountSchema, 'must be a JSON array of accounts').min(1, 'must hold at least one account').max(MAX_ACCOUNTS_PER_IMPORT, `must hold at most ${MAX_ACCOUNTS_PER_IMPORT} accounts`);

/** `[2].health.score` from zod's path; the body itself is `(body)`. */
export function fieldName(path: ReadonlyArray<PropertyKey>): string {
  const out = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return out || '(body)';
}

/** Validates a whole import. Every problem is reported; one bad account rejects the whole body. */
export function parseImport(body: unknown, now: number, origin = 'import-api'): { ok: true; snapshots: CustomerContext[] } | { ok: false; problems: FieldProblem[] } {
  const parsed = importBodySchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue): FieldProblem[] =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((k) => ({ field: fieldName([...issue.path, k]), message: 'is not a known field' }))
        : [{ field: fieldName(issue.path), message: issue.message }],
    );
    return { ok: false, problems };
  }
  const seen = new Map<string, number>();
  const duplicates: FieldProblem[] = [];
  parsed.data.forEach((a, i) => {
    if (seen.has(a.accountId)) duplicates.push({ field: `[${i}].accountId`, message: `duplicates [${seen.get(a.accountId)}].accountId "${a.accountId}"` });
    else seen.set(a.accountId, i);
  });
  if (duplicates.length) return { ok: false, problems: duplicates };
  return { ok: true, snapshots: parsed.data.map((a) => toSnapshot(a, now, origin)) };
}

export function toSnapshot(a: AccountImport, now: number, origin: string): CustomerContext {
  return {
    accountId: a.accountId,
    name: a.name,
    csm: { id: a.csm.id, email: a.csm.email, slackUserId: a.csm.slackUserId, timeZone: a.csm.timeZone, team: null },
    health: a.health,
    contract: a.contract,
    supportIssues: a.supportIssues,
    disputes: a.disputes,
    valueDelivered: a.valueDelivered,
    vendorRefs: a.vendorRefs,
    snapshotAt: a.snapshotAt ?? now,
    origin,
    billingTimeZone: a.billingTimeZone,
  };
}
