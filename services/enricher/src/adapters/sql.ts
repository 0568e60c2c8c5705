import type { Knex } from '@invoice-signal/runtime';

/**
 * A list bound as one Postgres array parameter (`?::bigint[]` …). node-postgres sends a null
 * element as NULL; knex's binding types do not allow nulls in arrays, hence the cast.
 */
export const pgArray = (values: ReadonlyArray<string | number | boolean | null>): Knex.Value => values as string[];
