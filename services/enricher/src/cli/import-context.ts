/**
 * Imports customer context from a CSV file through the enricher's import API, which validates the
 * whole file and publishes to cs.customer-context.v1 (all rows or none).
 *
 *   CONTEXT_ADMIN_TOKEN=... node services/enricher/src/cli/import-context.ts accounts.csv [--url http://127.0.0.1:3002]
 *
 * Columns: see csvColumns in ../domain/csv-accounts.ts and the service README. Exit codes: 0 imported,
 * 1 rejected (problems printed with CSV line numbers), 2 usage or configuration error.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseEnv, type Env } from '@invoice-signal/runtime';
import { csvToAccounts, CsvImportError } from '../domain/csv-accounts.ts';

const cliEnv = {
  CONTEXT_ADMIN_TOKEN: z.string().min(1),
  ENRICHER_URL: z.url().default('http://127.0.0.1:3002'),
};

export interface ImportOutcome {
  exitCode: 0 | 1 | 2;
  lines: string[];
}

/** `[3].health.score` → `line 5 health.score` (line 1 is the header). */
const toCsvPlace = (field: string) => field.replace(/^\[(\d+)\]\.?/, (_m, i: string) => `line ${Number(i) + 2} `);

const usage = 'usage: import-context.ts <accounts.csv> [--url <enricher base URL>]';

export async function runImport(argv: string[], env: Env): Promise<ImportOutcome> {
  let file: string | undefined;
  let url: string | undefined;
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { url: { type: 'string' } } });
    [file] = positionals;
    url = values.url;
  } catch (error) {
    return { exitCode: 2, lines: [(error as Error).message, usage] };
  }
  if (!file) return { exitCode: 2, lines: [usage] };
  let config: z.infer<z.ZodObject<typeof cliEnv>>;
  let accounts: Array<Record<string, unknown>>;
  try {
    config = parseEnv(cliEnv, env);
    accounts = csvToAccounts(await readFile(file, 'utf8'));
  } catch (error) {
    return { exitCode: error instanceof CsvImportError ? 1 : 2, lines: [`${file}: ${(error as Error).message}`] };
  }
  const base = url ?? config.ENRICHER_URL;
  const res = await fetch(new URL('/api/context/accounts?origin=csv', base), {
    method: 'POST',
    headers: { authorization: `Bearer ${config.CONTEXT_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(accounts),
  });
  const body = (await res.json().catch(() => ({}))) as { published?: number; detail?: string; errors?: Array<{ field: string; message: string }> };
  if (res.status === 202) return { exitCode: 0, lines: [`imported ${body.published} account(s) from ${file}`] };
  const problems = body.errors?.map((e) => `  ${toCsvPlace(e.field)}: ${e.message}`) ?? [];
  return { exitCode: res.status === 400 ? 1 : 2, lines: [`${file}: rejected (${res.status}): ${body.detail ?? 'no detail'}; nothing was imported`, ...problems] };
}

if (import.meta.main) {
  const outcome = await runImport(process.argv.slice(2), process.env);
  for (const line of outcome.lines) (outcome.exitCode === 0 ? console.log : console.error)(line);
  process.exitCode = outcome.exitCode;
}
