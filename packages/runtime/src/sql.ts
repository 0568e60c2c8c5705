import type { Knex } from './db.ts';

/**
 * A list bound as one Postgres array parameter (`?::bigint[]` …): node-postgres sends a JavaScript
 * array as an array, nulls included; knex's binding types only know arrays of one type.
 */
export const pgArray = (values: readonly unknown[]) => values as unknown as Knex.RawBinding;

/** A column of a set-based statement: its name, its Postgres type, and how to read it from a row. */
export type Column<R> = [name: string, type: string, value: (row: R) => unknown];

/**
 * `unnest(?::t1[], ?::t2[], ...) as <alias>(c1, c2, ...)` with one array binding per column: a
 * batch of rows in a fixed number of bindings, whatever its size. The SQL text comes from the
 * column list in code, never from the values. `ordinality` adds the column `n`, each row's place in the list.
 */
export function unnestRows<R>(rows: R[], columns: Column<R>[], alias = 'v', ordinality = false): { sql: string; bindings: Knex.RawBinding[] } {
  const names = [...columns.map(([name]) => name), ...(ordinality ? ['n'] : [])].join(', ');
  return {
    sql: `unnest(${columns.map(([, type]) => `?::${type}[]`).join(', ')})${ordinality ? ' with ordinality' : ''} as ${alias}(${names})`,
    bindings: columns.map(([, , value]) => pgArray(rows.map(value))),
  };
}

/** The column names of a list, for `insert into t (...)` and `select ...`. */
export const names = <R>(columns: Column<R>[], prefix = '') => columns.map(([name]) => `${prefix}${name}`).join(', ');
