import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichedInvoice } from '@invoice-signal/events';
import { createLogger, type EmittedRecord, type IncomingRecord, type Knex } from '@invoice-signal/runtime';
import { openScratchDb } from '@invoice-signal/testkit';
import { handleEnrichedInvoices } from '../src/handlers/enriched-invoice.ts';
import { migrations } from '../src/migrations/index.ts';
import { shippedRules } from './support/domain-fixtures.ts';
import { monthlyInvoice } from './support/enriched-factory.ts';

const asRecords = (values: EnrichedInvoice[]): IncomingRecord<EnrichedInvoice>[] =>
  values.map((value, i) => ({ topic: 'test.billing.invoice.enriched.v1', partition: 0, offset: String(i), key: value.accountId, value, headers: {}, timestamp: Date.now() }));

/** The batch handler on a real database, in one transaction as the runtime runs it: what it sent to Postgres and what it emitted. */
describe('the enriched-invoice batch handler', () => {
  let db: Knex;
  let drop: () => Promise<void>;
  const handle = handleEnrichedInvoices({ rules: shippedRules, logger: createLogger('risk-scorer', 'silent') });
  const run = async (values: EnrichedInvoice[]) => {
    const statements: string[] = [];
    const emitted: EmittedRecord<unknown>[] = [];
    const listen = (q: { sql: string }) => void statements.push(q.sql);
    db.on('query', listen);
    try {
      await db.transaction((trx) => handle(asRecords(values), { trx, emit: (_spec, list) => void emitted.push(...list), afterCommit: () => undefined }));
    } finally {
      db.off('query', listen);
    }
    return { statements, emitted };
  };

  beforeAll(async () => {
    ({ db, drop } = await openScratchDb('risk_statements', migrations));
  });
  afterAll(async () => drop?.());

  it('sends the same statements for a batch of 1 and of 120 invoices, and only the dedupe read for a replay', async () => {
    const one = await run([monthlyInvoice('acc_st_one', 0, 100_000)]);
    const many = Array.from({ length: 120 }, (_, i) => monthlyInvoice(`acc_st_${i % 20}`, Math.floor(i / 20), 100_000 + i * 1000));
    const batch = await run(many);
    expect(batch.statements).toEqual(one.statements);
    // BEGIN, account locks, assessments already made, the history read, history upsert, assessments insert, COMMIT.
    expect(one.statements).toHaveLength(7);
    expect([one.emitted.length, batch.emitted.length]).toEqual([1, 120]);
    expect(Number((await db('assessments').count({ c: '*' }))[0].c)).toBe(121);

    const replay = await run(many);
    // BEGIN, account locks, assessments already made (all published: nothing to emit or mark), COMMIT.
    expect(replay.statements).toHaveLength(4);
    expect(replay.emitted).toEqual([]);
  });
});
