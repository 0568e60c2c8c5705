import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvoiceSignalError } from '@invoice-signal/events';
import { checkPolicy, highValueBar, highValuePolicyFields, type HighValueBar } from './high-value.ts';

/** The flag codes of the contract (target-architecture), in the order assessments list them. */
export const flagCodes = [
  'UNMATCHED_ACCOUNT', 'PAYMENT_FAILED_RECENTLY', 'LATE_PAYMENT_HISTORY', 'CONTRACT_DISPUTE', 'HEALTH_DECLINING',
  'AMOUNT_CHANGE', 'FIRST_INVOICE', 'RENEWAL_APPROACHING', 'HIGH_VALUE',
] as const;
export type FlagCode = (typeof flagCodes)[number];

const severity = z.enum(['info', 'low', 'medium', 'high']);
const level = z.enum(['low', 'medium', 'high']);
const percent = z.number().positive();
const days = z.number().int().positive();
const minor = z.number().int().nonnegative();
const flagBase = { enabled: z.boolean(), severity, doc: z.string().optional() };

/** The rule file's shape. Strict objects: a misspelt key is an error, not a silently ignored rule. */
export const rulesSchema = z.strictObject({
  version: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore'),
  doc: z.string().optional(),
  flags: z.strictObject({
    FIRST_INVOICE: z.strictObject({ ...flagBase, billingPeriodDays: days, contractGraceDays: z.number().int().nonnegative() }),
    AMOUNT_CHANGE: z.strictObject({
      ...flagBase, increasePercent: percent, decreasePercent: percent.max(100), highSeverityPercent: percent,
      minAbsoluteMinor: z.strictObject({ default: minor }).catchall(minor).refine((m) => Object.keys(m).every((k) => k === 'default' || /^[A-Z]{3}$/.test(k)), 'keys are "default" or ISO 4217 codes'),
    }),
    HEALTH_DECLINING: z.strictObject({
      ...flagBase, bothSeverity: severity, dropPoints: z.number().int().positive().max(100), maxWindowDays: days, floorScore: z.number().int().min(0).max(100),
    }),
    // Raised exactly for the enricher's fair and poor ratings: not configurable, so it can never disagree with the rating shown.
    LATE_PAYMENT_HISTORY: z.strictObject({ ...flagBase, poorSeverity: severity }),
    CONTRACT_DISPUTE: z.strictObject({ ...flagBase, lookbackDays: days, highWithinDays: days }),
    PAYMENT_FAILED_RECENTLY: z.strictObject({ ...flagBase, withinDays: days }),
    RENEWAL_APPROACHING: z.strictObject({ ...flagBase, withinDaysOfDue: days }),
    HIGH_VALUE: z.strictObject({ ...flagBase, ...highValuePolicyFields }).superRefine(checkPolicy),
    UNMATCHED_ACCOUNT: z.strictObject({ ...flagBase }),
  }),
  scoring: z.strictObject({
    doc: z.string().optional(),
    severityPoints: z.strictObject({ info: minor, low: minor, medium: minor, high: minor }),
    levels: z.strictObject({ low: z.number().int().positive(), medium: z.number().int().positive(), high: z.number().int().positive() })
      .refine((l) => l.low <= l.medium && l.medium <= l.high, 'levels must rise: low <= medium <= high'),
    escalations: z.array(z.strictObject({
      name: z.string().min(1), allOf: z.array(z.enum(flagCodes)).min(1), anyOf: z.array(z.enum(flagCodes)).optional(), atLeast: level,
    })),
  }),
  actions: z.strictObject({ doc: z.string().optional(), outreachLeadDays: days, outreachMinLevel: level }),
  valueReinforcement: z.strictObject({
    doc: z.string().optional(), tiers: z.array(z.enum(['strategic', 'standard'])), checkInLeadDays: days, maxMetrics: z.number().int().positive(),
  }),
});

export type RulesConfig = z.infer<typeof rulesSchema>;

/** Parsed rules plus the version an assessment records: the file's version and a hash of its content. */
export interface Rules {
  config: RulesConfig;
  version: string;
  /** flags.HIGH_VALUE's thresholds per currency, worked out once. */
  highValue: HighValueBar;
}

export class RulesInvalidError extends InvoiceSignalError {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super('RISK_RULES_INVALID', `invalid risk rules in ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'RulesInvalidError';
    this.problems = problems;
  }
}

/**
 * Validates rule JSON. The recorded version carries a content hash so that an edit made without
 * bumping `version` still shows up as a different rule version in later assessments.
 */
export function parseRules(json: unknown, source = 'rules'): Rules {
  const result = rulesSchema.safeParse(json);
  if (!result.success) {
    throw new RulesInvalidError(source, result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const hash = createHash('sha256').update(JSON.stringify(result.data)).digest('hex').slice(0, 8);
  return { config: result.data, version: `${result.data.version}+${hash}`, highValue: highValueBar(result.data.flags.HIGH_VALUE) };
}
