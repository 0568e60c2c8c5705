/**
 * Uploads a CSV or JSON file of invoices to the gateway and prints the per-row report.
 *   node services/ingest-gateway/src/cli/upload.ts invoices.csv [--url http://127.0.0.1:3001]
 * The bearer token comes from INGEST_API_TOKEN. Exit 0 when imported, 1 when refused, 2 when unreachable.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { url: { type: 'string', default: 'http://127.0.0.1:3001' }, help: { type: 'boolean', short: 'h' } } });
const file = positionals[0];
if (values.help || !file) {
  console.error('usage: upload <file.csv|file.json> [--url <gateway base url>]   (token from INGEST_API_TOKEN)');
  process.exit(values.help ? 0 : 64);
}
const token = process.env.INGEST_API_TOKEN;
if (!token) {
  console.error('INGEST_API_TOKEN is not set');
  process.exit(78);
}
const contentType = extname(file).toLowerCase() === '.json' ? 'application/json' : 'text/csv';
let res: Response;
try {
  res = await fetch(new URL('/api/invoices/upload', values.url), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body: await readFile(file) });
} catch (error) {
  console.error(`cannot reach ${values.url}: ${(error as Error).message}`);
  process.exit(2);
}
const body = (await res.json()) as { rows?: number; accepted?: number; duplicates?: number; detail?: string; errors?: Array<{ row: number; field: string; reason: string }> };
if (res.ok) {
  console.log(`${file}: ${body.rows} row(s), ${body.accepted} new, ${body.duplicates} already imported`);
  process.exit(0);
}
console.error(`${file}: refused (${res.status}): ${body.detail}`);
for (const e of body.errors ?? []) console.error(`  row ${e.row}, ${e.field}: ${e.reason}`);
process.exit(1);
