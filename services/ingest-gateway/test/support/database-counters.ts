import pg from 'pg';

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Counts the statements that write `receipts`, by Postgres itself: a statement-level trigger
 * (it fires once per INSERT or UPDATE statement, whatever the number of rows) logs each one with
 * its transaction id, so the distinct ids are the transactions (commits) that wrote receipts.
 */
export async function countReceiptStatements(databaseUrl: string) {
  await withClient(databaseUrl, async (c) => {
    await c.query('create table if not exists test_receipt_statements (op text not null, xid xid8 not null)');
    await c.query(`create or replace function test_log_receipt_statement() returns trigger language plpgsql as $$
      begin insert into test_receipt_statements values (tg_op, pg_current_xact_id()); return null; end $$`);
    await c.query('drop trigger if exists test_log_receipt_statements on receipts');
    await c.query('create trigger test_log_receipt_statements after insert or update on receipts for each statement execute function test_log_receipt_statement()');
    await c.query('truncate test_receipt_statements');
  });
  return {
    async counts(): Promise<{ inserts: number; updates: number; transactions: number }> {
      const sql = `select count(*) filter (where op = 'INSERT') as inserts, count(*) filter (where op = 'UPDATE') as updates, count(distinct xid::text) as transactions from test_receipt_statements`;
      const { rows: [r] } = await withClient(databaseUrl, (c) => c.query(sql));
      return { inserts: Number(r.inserts), updates: Number(r.updates), transactions: Number(r.transactions) };
    },
  };
}
