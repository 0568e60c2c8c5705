/**
 * Structurally plausible payloads with one field broken: they get past authentication and must
 * be rejected by validation (400 naming the field), never accepted and never a 5xx.
 */
import fc from 'fast-check';
import { chargebeeEvent, chargebeeInvoice, stripeEvent, stripeInvoice } from '@invoice-signal/testkit';
import { wrongValue } from './arbitraries.ts';

/** Replaces (or deletes) the field at `path` of a deep copy. */
function broken(value: unknown, path: string[], replacement: unknown, remove: boolean): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (remove) delete at[last];
  else at[last] = replacement;
  return copy;
}

// Currencies must be ISO 4217 codes the runtime knows (any case): anything else is wrong, 'NaN' included.
const iso4217 = new Set(Intl.supportedValuesOf('currency'));
const notCurrency = fc.oneof(wrongValue, fc.string({ maxLength: 8 }), fc.constantFrom('NaN', 'ABC', 'xxx'))
  .filter((s) => typeof s !== 'string' || !iso4217.has(s.trim().toUpperCase()));
// Any safe integer is an amount the mappers accept (a negative total can be a credit), so only non-integers are wrong.
const notAmount = wrongValue.filter((v) => !(typeof v === 'number' && Number.isSafeInteger(v)));
const notId = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.constant(''), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));

/** `optional`: the field may be absent (the service applies a documented default), so it is only replaced. */
function breakOne(base: () => unknown, fields: Array<{ path: string[]; bad: fc.Arbitrary<unknown>; optional?: boolean }>) {
  return fc.constantFrom(...fields).chain((f) => fc.tuple(fc.boolean(), f.bad).map(([remove, bad]) => broken(base(), f.path, bad, remove && !f.optional)));
}

const stripeTypes = ['invoice.finalized', 'invoice.paid', 'invoice.payment_failed', 'invoice.updated', 'invoice.voided'];

export const brokenStripeEvent = fc.constantFrom(...stripeTypes).chain((type) =>
  breakOne(() => stripeEvent(type, stripeInvoice()), [
    { path: ['id'], bad: notId },
    { path: ['created'], bad: wrongValue.filter((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0) },
    { path: ['data'], bad: wrongValue },
    { path: ['data', 'object'], bad: wrongValue },
    { path: ['data', 'object', 'id'], bad: notId },
    { path: ['data', 'object', 'currency'], bad: notCurrency },
    { path: ['data', 'object', 'total'], bad: notAmount },
    { path: ['data', 'object', 'amount_due'], bad: notAmount },
  ]),
);

const chargebeeTypes = ['invoice_generated', 'invoice_updated', 'payment_succeeded', 'payment_failed'];

export const brokenChargebeeEvent = fc.constantFrom(...chargebeeTypes).chain((type) =>
  breakOne(() => chargebeeEvent(type, { invoice: chargebeeInvoice() }), [
    { path: ['id'], bad: notId },
    { path: ['occurred_at'], bad: wrongValue.filter((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0) },
    { path: ['content'], bad: wrongValue },
    { path: ['content', 'invoice'], bad: wrongValue },
    { path: ['content', 'invoice', 'id'], bad: notId },
    { path: ['content', 'invoice', 'currency_code'], bad: notCurrency },
    { path: ['content', 'invoice', 'total'], bad: notAmount },
    // Absent or null amount_due means nothing owed beyond the total (mapping default), so only wrong values.
    { path: ['content', 'invoice', 'amount_due'], bad: notAmount.filter((v) => v !== null), optional: true },
  ]),
);

const canonical = () => ({ source: 'internal', vendorEventId: `fz_${Math.random().toString(36).slice(2)}`, vendorInvoiceId: 'INV-FUZZ', type: 'issued', currency: 'EUR', totalMinor: 1000, occurredAt: Date.now() });

export const brokenCanonical = breakOne(canonical, [
  { path: ['source'], bad: fc.oneof(wrongValue, fc.string({ maxLength: 12 }).filter((s) => !['stripe', 'chargebee', 'salesforce', 'internal', 'upload', 'manual'].includes(s))) },
  { path: ['vendorEventId'], bad: notId },
  { path: ['vendorInvoiceId'], bad: notId },
  { path: ['type'], bad: fc.oneof(wrongValue, fc.string({ maxLength: 12 })).filter((s) => typeof s !== 'string' || !/^[a-z_]+$/.test(s)) },
  { path: ['currency'], bad: notCurrency },
  { path: ['totalMinor'], bad: notAmount },
  { path: ['occurredAt'], bad: fc.oneof(fc.constant(null), fc.boolean(), fc.constantFrom('yesterday', '2026-13-45', '', 'NaN', -1, 1.5, 2 ** 60, -(2 ** 60), 1e300), fc.object({ maxDepth: 1 })) },
]);

const uploadRow = () => ({ invoiceId: `UP-FUZZ-${Math.random().toString(36).slice(2)}`, currency: 'EUR', total: '12.50', issuedAt: '2026-11-01T10:00:00Z' });

export const brokenUpload = breakOne(() => [uploadRow()], [
  // Upload cells are text (a JSON number or boolean is read as its text, like a spreadsheet cell), so only values no text form of which is a valid id.
  { path: ['0', 'invoiceId'], bad: fc.oneof(fc.constant(null), fc.constant(''), fc.object({ maxDepth: 1 }), fc.constantFrom('has space', 'x'.repeat(200), 'a,b', '\u0000')) },
  { path: ['0', 'currency'], bad: notCurrency },
  { path: ['0', 'total'], bad: fc.oneof(fc.constant(null), fc.boolean(), fc.constantFrom('abc', '1,5', '--1', '', '1e999'), fc.object({ maxDepth: 1 })) },
  { path: ['0', 'issuedAt'], bad: fc.oneof(fc.constant(null), fc.boolean(), fc.constantFrom('not a date', '2026-02-30', '', '31/12/2026'), fc.object({ maxDepth: 1 })) },
]);

export const brokenUploadCsv = fc.tuple(fc.constantFrom('invoiceId', 'currency', 'total', 'issuedAt'), fc.string({ maxLength: 20 }).filter((s) => !/[,\n"]/.test(s)))
  .map(([field, bad]) => {
    const row: Record<string, string> = { invoiceId: `UP-CSV-${Math.random().toString(36).slice(2)}`, currency: 'EUR', total: '12.50', issuedAt: '2026-11-01T10:00:00Z' };
    row[field] = field === 'invoiceId' ? '' : field === 'total' ? `x${bad}` : field === 'currency' ? `${bad}1` : `no-date ${bad}`;
    return `invoiceId,currency,total,issuedAt\n${Object.values(row).join(',')}\n`;
  });

const account = () => ({ accountId: 'acc_fuzz_1', name: 'Fuzz Ltd', csm: { id: 'csm_fuzz', email: 'fuzz@invoice-signal.dev', slackUserId: 'U0FUZZ' }, health: { score: 50, asOf: '2026-11-01' }, contract: { arrMinor: 100000, currency: 'EUR', startDate: '2026-01-01', endDate: '2026-12-31', renewalDate: '2026-12-31', tier: 'standard' }, supportIssues: { open: 0, last30d: 0 }, disputes: { count: 0, lastAt: null }, valueDelivered: [], vendorRefs: { stripeCustomerId: null, chargebeeCustomerId: null, salesforceAccountId: null } });

export const brokenAccounts = breakOne(() => [account()], [
  { path: ['0', 'accountId'], bad: notId },
  { path: ['0', 'name'], bad: fc.oneof(fc.constant(null), fc.integer(), fc.constant(''), fc.object({ maxDepth: 1 })) },
  { path: ['0', 'csm'], bad: wrongValue },
  { path: ['0', 'csm', 'id'], bad: notId },
  { path: ['0', 'health', 'score'], bad: fc.oneof(wrongValue, fc.integer({ min: 101 }), fc.integer({ max: -1 })).filter((v) => !(typeof v === 'number' && v >= 0 && v <= 100)) },
  { path: ['0', 'contract', 'currency'], bad: notCurrency },
  { path: ['0', 'contract', 'tier'], bad: fc.oneof(wrongValue, fc.string({ maxLength: 10 })).filter((v) => v !== 'strategic' && v !== 'standard') },
]);

export const slackPayload = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ type: fc.oneof(fc.constant('block_actions'), fc.string()), user: fc.oneof(wrongValue, fc.record({ id: fc.oneof(fc.string(), wrongValue) })), actions: fc.oneof(wrongValue, fc.array(fc.record({ action_id: fc.oneof(fc.constant('acknowledge'), fc.string()), value: fc.oneof(fc.string(), wrongValue) }), { maxLength: 3 })) }),
).map((p) => `payload=${encodeURIComponent(JSON.stringify(p) ?? 'null')}`);
