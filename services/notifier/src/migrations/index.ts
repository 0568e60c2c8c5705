import type { Migration } from '@invoice-signal/runtime';
import { initial } from './001-initial.ts';
import { dueWorkIndexes } from './002-due-work-indexes.ts';
import { accountOwners } from './003-account-owners.ts';
import { invoiceLifecycle } from './004-invoice-lifecycle.ts';
import { outcomes } from './005-outcomes.ts';
import { notificationOutbox } from './006-notification-outbox.ts';

/** Ordered; names are recorded in knex_migrations, so never rename one that has shipped. */
export const migrations: Migration[] = [initial, dueWorkIndexes, accountOwners, invoiceLifecycle, outcomes, notificationOutbox];
