import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP stand-in for Chargebee's `GET /api/v2/invoices` (list invoices): basic auth with
 * the API key as user name, `limit`/`offset` paging with `next_offset`, answers in Chargebee's
 * list JSON ({ list: [{ invoice }], next_offset }). Records the query strings it saw.
 */
export async function startChargebeeStandIn(apiKey: string, invoices: Array<Record<string, unknown>>) {
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const expected = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== expected) return reply(401, { message: 'Sorry, authentication failed. Invalid api key', type: 'invalid_request', api_error_code: 'api_authentication_failed', http_status_code: 401 });
    if (req.method !== 'GET' || url.pathname !== '/api/v2/invoices') return reply(404, { message: 'Sorry, we couldn\'t find that resource', api_error_code: 'resource_not_found', http_status_code: 404 });
    queries.push(url.searchParams);
    const limit = Number(url.searchParams.get('limit') ?? 10);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const page = invoices.slice(offset, offset + limit);
    const next = offset + limit < invoices.length ? String(offset + limit) : undefined;
    reply(200, { list: page.map((invoice) => ({ invoice })), ...(next ? { next_offset: next } : {}) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
