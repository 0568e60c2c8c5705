import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Obj = Record<string, unknown>;

export interface StandInRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

abstract class ListStandIn {
  readonly requests: StandInRequest[] = [];
  private server?: Server;
  url = '';

  requestsTo(path: string): StandInRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  protected abstract handle(req: IncomingMessage, url: URL, reply: (status: number, body: unknown) => void): Promise<void> | void;

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams });
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      Promise.resolve(this.handle(req, url, reply)).catch((error: Error) => reply(500, { error: { message: error.message } }));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop() {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Epoch-seconds bounds of a Stripe range filter (`created[gte]`, `[gt]`, `[lte]`, `[lt]`) or of a plain value. */
function stripeRange(q: URLSearchParams, name: string): (t: number) => boolean {
  const n = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
  const [eq, gte, gt, lte, lt] = [n(name), n(`${name}[gte]`), n(`${name}[gt]`), n(`${name}[lte]`), n(`${name}[lt]`)];
  return (t) => (eq === undefined || t === eq) && (gte === undefined || t >= gte) && (gt === undefined || t > gt) && (lte === undefined || t <= lte) && (lt === undefined || t < lt);
}

/** The values of an array parameter as form-encoded by Stripe's clients: `types[0]=a&types[1]=b` (or `types[]=a`). */
const stripeArray = (q: URLSearchParams, name: string) => [...q.entries()].filter(([k]) => k === `${name}[]` || new RegExp(`^${name}\\[\\d+\\]$`).test(k)).map(([, v]) => v);

/**
 * A local HTTP server speaking Stripe's wire format for the two list endpoints the gateway reads,
 * `GET /v1/events` and `GET /v1/invoices`, over the events and invoices a test gives it: Bearer
 * (or basic) auth with the secret key, newest first (by `created`, ties by position), `limit`,
 * `starting_after`, `has_more`, the `created` range, `types` and `status` filters. stripe-mock,
 * Stripe's own stand-in, is stateless (it answers every list with one fixture), so it cannot
 * return a test's own event sequence; with `validateWith` (a stripe-mock URL) every request is
 * first checked by it against Stripe's OpenAPI specification and its refusal is answered as is.
 */
export class StripeListStandIn extends ListStandIn {
  readonly events: Obj[] = [];
  readonly invoices: Obj[] = [];
  private readonly apiKey: string;
  private readonly validateWith?: string;
  constructor(apiKey: string, validateWith?: string) {
    super();
    this.apiKey = apiKey;
    this.validateWith = validateWith;
  }

  protected async handle(req: IncomingMessage, url: URL, reply: (status: number, body: unknown) => void) {
    const auth = req.headers.authorization ?? '';
    const basic = `Basic ${Buffer.from(`${this.apiKey}:`).toString('base64')}`;
    if (auth !== `Bearer ${this.apiKey}` && auth !== basic) return reply(401, { error: { message: 'Invalid API Key provided', type: 'invalid_request_error' } });
    if (this.validateWith) {
      const checked = await fetch(`${this.validateWith}${url.pathname}${url.search}`, { headers: { authorization: auth } });
      if (!checked.ok) return reply(checked.status, await checked.json());
    }
    const q = url.searchParams;
    const created = stripeRange(q, 'created');
    if (req.method === 'GET' && url.pathname === '/v1/events') {
      const types = stripeArray(q, 'types');
      return reply(200, this.page(this.events.filter((e) => created(e.created as number) && (!types.length || types.includes(e.type as string))), q, url.pathname));
    }
    if (req.method === 'GET' && url.pathname === '/v1/invoices') {
      const status = q.get('status');
      return reply(200, this.page(this.invoices.filter((i) => created(i.created as number) && (!status || i.status === status)), q, url.pathname));
    }
    reply(404, { error: { message: `Unrecognized request URL (${req.method}: ${url.pathname}).`, type: 'invalid_request_error' } });
  }

  private page(items: Obj[], q: URLSearchParams, path: string) {
    const sorted = items.map((item, i) => ({ item, i })).sort((a, b) => (b.item.created as number) - (a.item.created as number) || b.i - a.i).map((x) => x.item);
    const after = q.get('starting_after');
    const start = after ? sorted.findIndex((x) => x.id === after) + 1 : 0;
    const limit = Math.min(100, Number(q.get('limit') ?? 10));
    const data = sorted.slice(start, start + limit);
    return { object: 'list', url: path, has_more: start + limit < sorted.length, data };
  }
}

/** Epoch-seconds bounds of a Chargebee timestamp filter (`date[after]`, `[before]`, `[on]`, `[between]`). */
function chargebeeRange(q: URLSearchParams, name: string): (t: number) => boolean {
  const n = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
  const [after, before, on] = [n(`${name}[after]`), n(`${name}[before]`), n(`${name}[on]`)];
  const between = q.has(`${name}[between]`) ? (JSON.parse(q.get(`${name}[between]`)!) as number[]) : undefined;
  return (t) => (after === undefined || t > after) && (before === undefined || t < before) && (on === undefined || t === on) && (!between || (t >= between[0] && t <= between[1]));
}

/** A Chargebee enum/string filter: `[is]`, `[is_not]`, `[in]` / `[not_in]` (a JSON array, as Chargebee's clients send it). */
function chargebeeEnum(q: URLSearchParams, name: string): (v: unknown) => boolean {
  const list = (k: string) => (q.has(k) ? (JSON.parse(q.get(k)!) as string[]) : undefined);
  const [is, isNot, within, notIn] = [q.get(`${name}[is]`), q.get(`${name}[is_not]`), list(`${name}[in]`), list(`${name}[not_in]`)];
  return (v) => (is === null || v === is) && (isNot === null || v !== isNot) && (!within || within.includes(String(v))) && (!notIn?.includes(String(v)));
}

/**
 * A local HTTP stand-in for Chargebee's API v2 list endpoints the gateway reads: `GET
 * /api/v2/events`, `/api/v2/invoices` and `/api/v2/transactions`, over the objects a test gives
 * it. Basic auth with the API key as user name; `limit` / `offset` paging with `next_offset`;
 * answers in Chargebee's list JSON (`{ list: [{ event }], next_offset }`); the timestamp filters
 * (`occurred_at`, `date`, `updated_at`), enum filters (`event_type`, `type`, `status`) and
 * `sort_by[asc|desc]` each list supports. Records every request.
 */
export class ChargebeeStandIn extends ListStandIn {
  readonly events: Obj[] = [];
  readonly invoices: Obj[] = [];
  readonly transactions: Obj[] = [];
  private readonly apiKey: string;
  constructor(apiKey: string) {
    super();
    this.apiKey = apiKey;
  }

  protected handle(req: IncomingMessage, url: URL, reply: (status: number, body: unknown) => void) {
    if (req.headers.authorization !== `Basic ${Buffer.from(`${this.apiKey}:`).toString('base64')}`) {
      return reply(401, { message: 'Sorry, authentication failed. Invalid api key', type: 'invalid_request', api_error_code: 'api_authentication_failed', http_status_code: 401 });
    }
    const q = url.searchParams;
    const lists: Record<string, { key: string; items: Obj[]; times: string[]; enums: string[] }> = {
      '/api/v2/events': { key: 'event', items: this.events, times: ['occurred_at'], enums: ['event_type'] },
      '/api/v2/invoices': { key: 'invoice', items: this.invoices, times: ['date', 'updated_at'], enums: ['status', 'customer_id'] },
      '/api/v2/transactions': { key: 'transaction', items: this.transactions, times: ['date', 'updated_at'], enums: ['type', 'status', 'customer_id'] },
    };
    const list = req.method === 'GET' ? lists[url.pathname] : undefined;
    if (!list) return reply(404, { message: "Sorry, we couldn't find that resource", api_error_code: 'resource_not_found', http_status_code: 404 });
    const found = list.items.filter((o) => list.times.every((t) => chargebeeRange(q, t)(o[t] as number)) && list.enums.every((e) => chargebeeEnum(q, e)(o[e])));
    const sortAsc = q.get('sort_by[asc]');
    const sortDesc = q.get('sort_by[desc]');
    if (sortAsc) found.sort((a, b) => (a[sortAsc] as number) - (b[sortAsc] as number));
    if (sortDesc) found.sort((a, b) => (b[sortDesc] as number) - (a[sortDesc] as number));
    const limit = Math.min(100, Number(q.get('limit') ?? 10));
    const offset = Number(q.get('offset') ?? 0);
    const next = offset + limit < found.length ? String(offset + limit) : undefined;
    reply(200, { list: found.slice(offset, offset + limit).map((o) => ({ [list.key]: o })), ...(next ? { next_offset: next } : {}) });
  }
}
