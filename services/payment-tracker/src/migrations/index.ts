import type { Migration } from '@invoice-signal/runtime';
import { trackerState } from './001-tracker-state.ts';
import { runtimeOutbox } from './002-runtime-outbox.ts';

/** Ordered; names are recorded in knex_migrations, so never rename one that has shipped. */
export const migrations: Migration[] = [trackerState, runtimeOutbox];
