import { readCsv, type CsvTable } from '@invoice-signal/runtime';
import { ingestProblem, invalid } from '../errors.ts';
import { uploadDeliveries } from '../domain/upload-rows.ts';
import { requireBearer } from './auth.ts';
import { parseJson } from './chargebee-route.ts';
import { rawBody, type IngestHandler, type RouteDeps } from './deps.ts';
import { setSource } from './request-source.ts';

/** Rows numbered as a person finds them: the CSV file line, or the 1-based JSON array index. */
function rowsOf(contentType: string, body: Buffer): Array<{ row: number; values: Record<string, unknown> }> {
  if (contentType.startsWith('text/csv')) {
    let table: CsvTable;
    try {
      table = readCsv(body.toString('utf8'));
    } catch (error) {
      throw invalid('body', (error as Error).message);
    }
    const { header, rows } = table;
    if (!header.includes('invoiceId')) throw invalid('header', `the CSV header must name the columns (invoiceId, currency, total, issuedAt, ...); got ${JSON.stringify(header.join(','))}`);
    return rows.map((r) => ({ row: r.line, values: Object.fromEntries(header.map((h, i) => [h, (r.cells[i] ?? '').trim()])) }));
  }
  if (contentType.startsWith('application/json')) {
    const parsed = parseJson(body);
    const list = Array.isArray(parsed) ? parsed : (parsed as { invoices?: unknown })?.invoices;
    if (!Array.isArray(list)) throw invalid('body', 'expected a JSON array of invoices or { "invoices": [...] }');
    return list.map((values, i) => {
      if (!values || typeof values !== 'object' || Array.isArray(values)) throw invalid(`[${i}]`, 'each invoice must be an object');
      return { row: i + 1, values: values as Record<string, unknown> };
    });
  }
  const detail = `content-type: expected text/csv or application/json, got ${contentType || 'none'}`;
  throw ingestProblem('INGEST_UNSUPPORTED_MEDIA', detail, { field: 'content-type' });
}

export function uploadRoute(deps: RouteDeps): IngestHandler {
  return async (request, reply) => {
    setSource(request, 'upload');
    requireBearer(request, deps.config.INGEST_API_TOKEN);
    deps.limit('upload');
    const rows = rowsOf(String(request.headers['content-type'] ?? '').toLowerCase(), rawBody(request));
    const delivered = uploadDeliveries(rows, deps.now(), deps.config.billingTimeZones.upload);
    const outcomes = await deps.ingestor.acceptMany(delivered.map((d, i) => ({ delivery: d, raw: { text: JSON.stringify(rows[i].values), contentType: 'application/json' } })));
    const report = delivered.map((d, i) => ({ row: rows[i].row, invoiceId: d.event!.invoiceId, eventId: d.event!.eventId, outcome: outcomes[i] }));
    return reply.code(200).send({
      rows: report.length,
      accepted: outcomes.filter((o) => o === 'accepted').length,
      duplicates: outcomes.filter((o) => o === 'duplicate').length,
      report,
    });
  };
}
