import { validate, compileErrors } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import { isDocumentationRoute, registeredRoutes } from '@invoice-signal/runtime';

type FastifyInstance = Parameters<typeof registeredRoutes>[0];

type Schema = Record<string, unknown>;
interface MediaType { schema?: Schema }
interface Operation {
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { content?: Record<string, MediaType> }>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, unknown> };
}

export interface ContractCall {
  /** Path parameters, filled into the documented template (`/x/{id}`), URL-encoded. */
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A JSON body (sent as application/json unless headers say otherwise) … */
  json?: unknown;
  /** … or the exact bytes. */
  body?: string | Buffer;
  /** Another instance of the same service (same routes, other settings) to hold to this document. */
  baseUrl?: string;
}

export interface ContractAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON when it is JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: a response body of any documented shape, read by the tests
  body: any;
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const mediaOf = (contentType: string | null | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/** Fastify's `/a/:id` as OpenAPI writes it: `/a/{id}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * A service's OpenAPI document held against the service: every answer of a call made through it
 * must be documented (status, media type) and its body must match the documented schema; the
 * answers seen are recorded so a test can show each documented answer was exercised.
 */
export class OpenApiContract {
  readonly seen = new Set<string>();
  private readonly ajv = new Ajv2020.default({ strict: false, allErrors: true });

  readonly baseUrl: string;
  readonly doc: OpenApiDocument;

  private constructor(baseUrl: string, doc: OpenApiDocument) {
    this.baseUrl = baseUrl;
    this.doc = doc;
  }

  /** Fetches GET /api/openapi.json and checks it is a valid OpenAPI 3.x document. */
  static async load(baseUrl: string): Promise<OpenApiContract> {
    const res = await fetch(`${baseUrl}/api/openapi.json`);
    if (res.status !== 200) throw new Error(`GET /api/openapi.json answered ${res.status}`);
    const doc = (await res.json()) as OpenApiDocument;
    const result = await validate(structuredClone(doc) as never);
    if (!result.valid) throw new Error(`the OpenAPI document is not valid:\n${compileErrors(result)}`);
    if (!/^3\.\d+\.\d+$/.test(doc.openapi)) throw new Error(`expected OpenAPI 3.x, got ${doc.openapi}`);
    return new OpenApiContract(baseUrl, doc);
  }

  /** `METHOD /path` of every documented operation. */
  documented(): string[] {
    return Object.entries(this.doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => methods.includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
  }

  /** Routes the app serves that the document leaves out, hidden ones apart (those are listed by `hidden`). */
  undocumented(app: FastifyInstance): string[] {
    const documented = new Set(this.documented());
    return registeredRoutes(app).filter((r) => !r.hidden).map((r) => `${r.method} ${openApiPath(r.url)}`).filter((r) => !documented.has(r));
  }

  /** Routes deliberately left out of the document (`schema.hide`), the document and its reference page apart. */
  hidden(app: FastifyInstance): string[] {
    return registeredRoutes(app).filter((r) => r.hidden && !isDocumentationRoute(r.url)).map((r) => `${r.method} ${openApiPath(r.url)}`);
  }

  /** `METHOD /path STATUS` of every documented answer. */
  documentedAnswers(): string[] {
    return Object.entries(this.doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).filter(([m]) => methods.includes(m)).flatMap(([m, op]) => Object.keys(op.responses ?? {}).map((status) => `${m.toUpperCase()} ${path} ${status}`)));
  }

  /** Documented answers no call through this contract has produced yet. */
  unexercised(): string[] {
    return this.documentedAnswers().filter((a) => !this.seen.has(a));
  }

  /**
   * Calls a documented operation and checks the answer against the document: its status is
   * documented for the operation, its media type too, and its body matches that schema. A body
   * sent to an operation that then succeeds must be of a documented media type and match its schema.
   */
  async call(method: string, path: string, call: ContractCall = {}): Promise<ContractAnswer> {
    const op = this.doc.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`${method} ${path} is not documented`);
    const url = new URL((call.baseUrl ?? this.baseUrl) + path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(call.params?.[name] ?? `{${name}}`)));
    for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
    const headers = { ...(call.json !== undefined ? { 'content-type': 'application/json' } : {}), ...call.headers };
    const res = await fetch(url, { method, headers, body: call.json !== undefined ? JSON.stringify(call.json) : call.body });
    // A stream never ends: its first event stands for the answer.
    const text = mediaOf(res.headers.get('content-type')) === 'text/event-stream' ? await firstEvent(res) : await res.text();
    const answer: ContractAnswer = { status: res.status, headers: res.headers, text, body: parseMaybe(text) };
    this.check(method, path, op, answer);
    const media = mediaOf(headers['content-type']);
    if (res.status < 300 && call.json !== undefined) this.checkRequest(method, path, op, media, call.json);
    else if (res.status < 300 && typeof call.body === 'string') this.checkRequest(method, path, op, media, media.includes('json') ? parseMaybe(call.body) : call.body);
    this.seen.add(`${method.toUpperCase()} ${path} ${res.status}`);
    return answer;
  }

  private check(method: string, path: string, op: Operation, answer: ContractAnswer): void {
    const where = `${method.toUpperCase()} ${path} → ${answer.status}`;
    const documented = op.responses?.[String(answer.status)];
    if (!documented) throw new Error(`${where} is not a documented answer (documented: ${Object.keys(op.responses ?? {}).join(', ')}); body: ${answer.text.slice(0, 300)}`);
    const content = documented.content ?? {};
    if (Object.keys(content).length === 0) return;
    const media = mediaOf(answer.headers.get('content-type'));
    const schema = content[media]?.schema;
    if (!content[media]) throw new Error(`${where}: media type ${media} is not documented (documented: ${Object.keys(content).join(', ')})`);
    if (schema) this.expectValid(schema, media.includes('json') ? answer.body : answer.text, `${where} (${media})`);
  }

  private checkRequest(method: string, path: string, op: Operation, media: string, body: unknown): void {
    const schema = op.requestBody?.content?.[media]?.schema;
    if (!schema) throw new Error(`${method.toUpperCase()} ${path} accepted a ${media} body its document does not describe`);
    this.expectValid(schema, body, `request body of ${method.toUpperCase()} ${path}`);
  }

  private expectValid(schema: Schema, value: unknown, what: string): void {
    const check = this.ajv.compile(schema);
    if (!check(value)) throw new Error(`${what} does not match its documented schema: ${this.ajv.errorsText(check.errors)}\n${JSON.stringify(value).slice(0, 500)}`);
  }
}

async function firstEvent(res: Response): Promise<string> {
  const reader = res.body!.getReader();
  let text = '';
  try {
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    return text;
  } finally {
    await reader.cancel();
  }
}

function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

let clients = 0;
/**
 * A client address of its own, forwarded by the test as if through a load balancer (the service
 * must trust 127.0.0.1: TRUSTED_PROXIES): one case's failed authentications never spend another's budget.
 */
export function freshClient(): Record<string, string> {
  clients += 1;
  return { 'x-forwarded-for': `10.${(clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}` };
}

/** Repeats a refused call from one fresh client address until the failed-authentication budget answers 429. */
export async function exhaustFailedAuth(contract: OpenApiContract, method: string, path: string, call: ContractCall = {}): Promise<ContractAnswer> {
  const client = freshClient();
  for (let i = 0; i < 50; i++) {
    const answer = await contract.call(method, path, { ...call, headers: { ...call.headers, ...client } });
    if (answer.status === 429) return answer;
  }
  throw new Error(`${method} ${path}: 50 refusals from one address and no 429`);
}

/**
 * The runtime's probes through the contract: live, ready, and not ready while a check the test
 * adds (through the service's own addCheck) fails.
 */
export async function exerciseHealth(contract: OpenApiContract, addCheck: (name: string, check: () => void) => void) {
  let down = true;
  addCheck('held-down-by-the-contract-test', () => {
    if (down) throw new Error('held down by the contract test');
  });
  const notReady = await contract.call('GET', '/health/ready');
  down = false;
  return { notReady, ready: await contract.call('GET', '/health/ready'), live: await contract.call('GET', '/health/live') };
}
