import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichedInvoice } from '@invoice-signal/events';
import type { IncomingRecord, Knex } from '@invoice-signal/runtime';
import { openScratchDb, sampleCustomerContext, sampleEnrichedInvoice, sampleInvoiceEvent } from '@invoice-signal/testkit';
import { applyEntries } from '../src/adapters/ledger-store.ts';
import { vendorEntry } from '../src/domain/ledger.ts';
import { handleDueZones } from '../src/handlers/due-zone.ts';
import { migrations } from '../src/migrations/index.ts';

const fold = { overdueGraceMs: 0 };
// What the gateway publishes for "due 2026-12-01" read in UTC.
const dueUtc = { dueDate: '2026-12-01', dueTimeZone: 'UTC', dueAt: Date.parse('2026-12-01T23:59:59.999Z') };
const inLosAngeles = '2026-12-02T07:59:59.999Z';

/** An enrichment of the invoice: the account placed in `zone`, or without a zone of its own (the due date as the gateway read it). */
function enriched(invoiceId: string, revision: number, zone: string | null): EnrichedInvoice {
  const invoice = sampleInvoiceEvent({ invoiceId, ...dueUtc, ...(zone ? { dueTimeZone: zone, dueAt: Date.parse(inLosAngeles) } : {}) });
  return sampleEnrichedInvoice({ enrichmentId: `enr_${invoiceId}_${revision}`, revision, invoice, context: sampleCustomerContext({ billingTimeZone: zone }) });
}
const asRecords = (values: EnrichedInvoice[]): IncomingRecord<EnrichedInvoice>[] =>
  values.map((value, i) => ({ topic: 'test.billing.invoice.enriched.v1', partition: 0, offset: String(i), key: value.accountId, value, headers: {}, timestamp: Date.now() }));

/** The due-zone handler on a real database, one transaction per batch as the runtime runs it. */
describe('billing zones of date-only due dates', () => {
  let db: Knex;
  let drop: () => Promise<void>;
  const handle = handleDueZones(fold);
  const run = async (values: EnrichedInvoice[]) => {
    const statements: string[] = [];
    const after: Array<() => unknown> = [];
    const listen = (q: { sql: string }) => void statements.push(q.sql);
    db.on('query', listen);
    try {
      await db.transaction((trx) => handle(asRecords(values), { trx, emit: () => undefined, afterCommit: (fn) => void after.push(fn) }));
    } finally {
      db.off('query', listen);
    }
    for (const fn of after) fn();
    return statements;
  };
  const issue = (invoiceId: string) => db.transaction((trx) => applyEntries(trx, [vendorEntry(sampleInvoiceEvent({ eventId: `ev_${invoiceId}`, invoiceId, type: 'issued', ...dueUtc }))], fold));
  const dueAt = async (invoiceId: string) => new Date(Number((await db('invoice_state').where({ invoice_id: invoiceId }).first()).due_at)).toISOString();
  const ledger = (invoiceId: string) => db('invoice_events').where({ invoice_id: invoiceId }).orderBy('event_id').pluck('type');
  const version = async (invoiceId: string) => (await db('invoice_state').where({ invoice_id: invoiceId }).first()).version;

  beforeAll(async () => {
    ({ db, drop } = await openScratchDb('pt_zones', migrations));
  });
  afterAll(async () => drop?.());

  it('records nothing and refolds nothing for accounts without a zone of their own', async () => {
    const ids = ['in_plain1', 'in_plain2', 'in_plain3'];
    for (const id of ids) await issue(id);
    const statements = await run(ids.map((id) => enriched(id, 1, null)));
    // BEGIN, invoice locks, which of them have a zone, COMMIT.
    expect(statements).toHaveLength(4);
    for (const id of ids) {
      expect(await ledger(id)).toEqual(['issued']);
      expect([await dueAt(id), await version(id)]).toEqual(['2026-12-01T23:59:59.999Z', 1]);
    }
  });

  it('moves the due date to the account’s zone, and back when a later enrichment takes the zone away', async () => {
    await issue('in_zoned');
    await run([enriched('in_zoned', 1, 'America/Los_Angeles')]);
    expect([await dueAt('in_zoned'), await version('in_zoned')]).toEqual([inLosAngeles, 2]);
    await run([enriched('in_zoned', 2, null)]);
    expect(await ledger('in_zoned')).toEqual(['due_zone', 'due_zone', 'issued']);
    expect([await dueAt('in_zoned'), await version('in_zoned')]).toEqual(['2026-12-01T23:59:59.999Z', 3]);
  });

  it('takes a zone away within one batch too: the zone and its removal are both recorded', async () => {
    await issue('in_batch');
    await run([enriched('in_batch', 1, 'America/Los_Angeles'), enriched('in_batch', 2, null)]);
    expect(await ledger('in_batch')).toEqual(['due_zone', 'due_zone', 'issued']);
    expect([await dueAt('in_batch'), await version('in_batch')]).toEqual(['2026-12-01T23:59:59.999Z', 1]);
  });
});
