/**
 * Runs the generated bad requests against the gateway, the enricher and the notifier (each its
 * own process, on a fresh namespace) and checks: no 5xx, no hang, every process alive with
 * /health/live OK after each route, and no topic of the namespace received a record.
 */
import fc from 'fast-check';
import { SystemUnderTest, uniqueName } from '@invoice-signal/testkit';
import type { ServiceName } from '@invoice-signal/local-stack';
import { signDevToken } from '@invoice-signal/runtime';
import { fuzzRoutes, type Credentials, type FuzzRequest, type FuzzRoute } from './routes.ts';
import { moved, namespaceOffsets } from './offsets.ts';

export interface RouteFigures {
  route: string;
  requests: number;
  byStatus: Record<string, number>;
  failure?: string;
  /** A few requests answered 2xx (legitimately ignored deliveries, or a validation gap if anything got published). */
  accepted: string[];
}

export interface FuzzReport {
  namespace: string;
  runsPerRoute: number;
  requests: number;
  routes: RouteFigures[];
  findings: string[];
  published: string[];
}

export const fuzzServices: ServiceName[] = ['ingest-gateway', 'enricher', 'notifier'];

/**
 * Limits out of the way: the point is to reach parsing and validation. The fuzzer sends forged
 * credentials from one address on purpose, which the failed-auth budget would answer with 429.
 */
export const fuzzEnv = { RATE_LIMIT_UPLOAD: '100000', RATE_LIMIT_FAILED_AUTH_PER_IP: '0' };

async function credentials(system: SystemUnderTest): Promise<Credentials> {
  const secret = system.secrets.AUTH_JWT_SECRET;
  const forged = [
    await signDevToken('x'.repeat(40), 'csm_chaos_0', { role: 'admin' }), // wrong key
    await signDevToken(secret, 'csm_chaos_0', { role: 'admin', ttl: '-1h' }), // expired
    await signDevToken(secret, 'csm_chaos_0', { role: 'superuser' }), // unknown role
    `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"csm_chaos_0","role":"admin"}').toString('base64url')}.`,
  ];
  return { secrets: system.secrets, tokens: { admin: await signDevToken(secret, 'fuzz-admin', { role: 'admin' }), csm: await signDevToken(secret, 'csm_chaos_0', { role: 'csm' }), manager: await signDevToken(secret, 'fuzz-manager', { role: 'manager' }), forged } };
}

/** Sends one request; the status, or 'closed' when the server dropped the connection, 'timeout' when it hung. */
export async function send(base: string, req: FuzzRequest, timeoutMs = 10_000): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
  try {
    const res = await fetch(`${base}${req.path}`, { method: req.method, headers: req.headers, body: req.body, signal: controller.signal });
    // A live stream stays open: its status is the answer.
    if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) controller.abort();
    else await res.arrayBuffer();
    return String(res.status);
  } catch (error) {
    if (controller.signal.aborted && (controller.signal.reason as Error)?.message === 'timeout') return 'timeout';
    if (error instanceof TypeError && /header|URL|url/.test(String((error as Error).message) + String((error as { cause?: Error }).cause?.message))) return 'client-refused';
    return 'closed';
  } finally {
    clearTimeout(timer);
  }
}

async function alive(system: SystemUnderTest, name: ServiceName): Promise<string | undefined> {
  const proc = system.processes.get(name);
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return `${name} process exited (${proc?.child.exitCode ?? proc?.child.signalCode}):\n${system.output(name).slice(-1500)}`;
  const res = await fetch(`${system.url(name)}/health/live`).catch((e: Error) => e);
  return res instanceof Error || res.status !== 200 ? `${name} /health/live failed: ${res instanceof Error ? res.message : res.status}` : undefined;
}

const describe = (r: FuzzRequest, max = 400) => JSON.stringify({ ...r, body: r.body === undefined ? undefined : String(r.body).slice(0, max) });

async function fuzzRoute(system: SystemUnderTest, route: FuzzRoute, creds: Credentials, numRuns: number, seed?: number): Promise<RouteFigures> {
  const base = system.url(route.service);
  const figures: RouteFigures = { route: route.name, requests: 0, byStatus: {}, accepted: [] };
  const result = await fc.check(fc.asyncProperty(route.cases(creds), async (req) => {
    const status = await send(base, req);
    figures.requests++;
    figures.byStatus[status] = (figures.byStatus[status] ?? 0) + 1;
    if (/^2/.test(status) && figures.accepted.length < 50 && req.body !== undefined) figures.accepted.push(describe(req, 4000));
    return !(/^5/.test(status) || status === 'timeout');
  }), { numRuns, seed, endOnFailure: false, maxSkipsPerRun: 1 });
  if (result.failed) figures.failure = `status 5xx/timeout for ${describe(result.counterexample![0] as FuzzRequest)} (seed ${result.seed}, path ${result.counterexamplePath})`;
  if (route.oversize) {
    for (const type of ['application/json', 'text/plain']) {
      const status = await send(base, { method: route.method, path: route.name.split(' ')[1].replace(/:[a-zA-Z]+/g, 'x'), headers: { 'content-type': type }, body: Buffer.alloc(route.oversize + 1, 0x20) });
      figures.requests++;
      figures.byStatus[`oversize:${status}`] = (figures.byStatus[`oversize:${status}`] ?? 0) + 1;
      if (/^5/.test(status) || status === 'timeout') figures.failure = `${figures.failure ?? ''} oversized ${type} body answered ${status}`;
    }
  }
  return figures;
}

/** Starts the three HTTP services on a fresh namespace and fuzzes every route `runsPerRoute` times. */
export async function runFuzz(opts: { runsPerRoute: number; seed?: number; say?: (line: string) => void; system?: SystemUnderTest }): Promise<FuzzReport & { system: SystemUnderTest }> {
  const say = opts.say ?? (() => undefined);
  const system = opts.system ?? new SystemUnderTest({ namespace: uniqueName('fuzz'), env: fuzzEnv, services: fuzzServices });
  for (const name of fuzzServices) if (!system.urls.has(name)) await system.startService(name);
  const creds = await credentials(system);
  const before = await namespaceOffsets(system.namespace);
  const report: FuzzReport = { namespace: system.namespace, runsPerRoute: opts.runsPerRoute, requests: 0, routes: [], findings: [], published: [] };
  for (const route of fuzzRoutes) {
    const figures = await fuzzRoute(system, route, creds, opts.runsPerRoute, opts.seed);
    report.routes.push(figures);
    report.requests += figures.requests;
    if (figures.failure) report.findings.push(`${route.name}: ${figures.failure}`);
    const dead = await alive(system, route.service);
    if (dead) {
      report.findings.push(`${route.name}: ${dead}`);
      await system.stopService(route.service, 'SIGKILL');
      await system.startService(route.service);
    }
    say(`fuzz ${route.name.padEnd(42)} ${String(figures.requests).padStart(5)} requests  ${JSON.stringify(figures.byStatus)}`);
  }
  report.published = moved(before, await namespaceOffsets(system.namespace));
  if (report.published.length) {
    const accepted = report.routes.flatMap((r) => r.accepted.map((a) => `  ${r.route}: ${a}`));
    report.findings.push(`records published by rejected requests: ${report.published.join('; ')}; requests answered 2xx:\n${accepted.join('\n')}`);
  }
  return { ...report, system };
}
