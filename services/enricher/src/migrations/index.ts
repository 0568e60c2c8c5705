import type { Migration } from '@invoice-signal/runtime';
import { enricherState } from './001-enricher-state.ts';
import { historyLookupIndexes } from './002-history-lookup-indexes.ts';

/** Ordered; names are recorded in knex_migrations, so never rename one that has shipped. */
export const migrations: Migration[] = [enricherState, historyLookupIndexes];
