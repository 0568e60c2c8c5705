import type { Migration } from '@invoice-signal/runtime';
import * as invoiceHistory from './001-invoice-history.ts';
import * as assessments from './002-assessments.ts';
import * as historyByteOrder from './003-history-byte-order.ts';

/** Ordered; names are recorded in knex_migrations, so never rename one that has shipped. */
export const migrations: Migration[] = [
  { name: '001-invoice-history', up: invoiceHistory.up },
  { name: '002-assessments', up: assessments.up },
  { name: '003-history-byte-order', up: historyByteOrder.up },
];
