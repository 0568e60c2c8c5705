import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, ensureDatabase, migrate, type Knex } from '@invoice-signal/runtime';
import { testServiceConfig, uniqueName } from '@invoice-signal/testkit';
import { migrations } from '../src/migrations/index.ts';
import { statusOutbox } from '../src/adapters/status-outbox.ts';

/** Statuses waiting in the tracker's own outbox shape stay waiting, in order, in the runtime outbox's shape. */
describe('the status outbox migration', () => {
  const url = testServiceConfig('payment-tracker', uniqueName('pt-outbox-migration')).databaseUrl;
  let db: Knex;

  beforeAll(async () => {
    await ensureDatabase(url);
    db = createDb(url, 2);
    await migrate(db, migrations.slice(0, 1));
    await db('status_outbox').insert([
      { invoice_id: 'stripe:in_1', version: 1, payload: JSON.stringify({ invoiceId: 'stripe:in_1', version: 1 }) },
      { invoice_id: 'stripe:in_1', version: 2, payload: null },
    ]);
    await migrate(db, migrations);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('keeps every waiting row, keyed by its invoice, for the drainer to read in order', async () => {
    expect(await db(statusOutbox.spec.table).select('id', 'key', 'version', 'payload').orderBy('id')).toEqual([
      { id: 1, key: 'stripe:in_1', version: 1, payload: { invoiceId: 'stripe:in_1', version: 1 } },
      { id: 2, key: 'stripe:in_1', version: 2, payload: null },
    ]);
  });
});
