import type { Migration } from '@invoice-signal/runtime';

/** Ordered; names are recorded in knex_migrations, so never rename one that has shipped. */
export const migrations: Migration[] = [];
