import type { Knex } from '@invoice-signal/runtime';

/**
 * Every assessment made, keyed by the enrichment it answers: the dedupe record for replays and
 * the outbox of the assessed topic (published_at is set once the broker acknowledged it).
 * `value` is json, not jsonb, so a re-publication encodes exactly what was first decided.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('assessments', (t) => {
    t.text('enrichment_id').primary();
    t.text('assessment_id').notNullable().unique();
    t.text('account_id').notNullable();
    t.text('invoice_id').notNullable();
    t.integer('revision').notNullable();
    t.text('rule_version').notNullable();
    t.text('risk_level').notNullable();
    t.integer('risk_score').notNullable();
    t.json('reasons').notNullable();
    t.json('value').notNullable();
    t.timestamp('assessed_at', { useTz: true }).notNullable();
    t.timestamp('published_at', { useTz: true });
    t.index(['account_id', 'assessed_at'], 'assessments_account');
  });
  // Each rule version ever used, so an old decision can be explained after the file changed.
  await db.schema.createTable('rule_versions', (t) => {
    t.text('version').primary();
    t.json('config').notNullable();
    t.timestamp('first_loaded_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  });
}
