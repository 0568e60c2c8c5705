import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { devSecrets, serviceNames, type ServiceName } from '@invoice-signal/local-stack';
import { stackEndpoints, uniqueName } from './endpoints.ts';
import { testPartitions } from './services.ts';
import { eventually } from './wait.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  url: string;
  /** The management port: /metrics and the detailed /health/ready. */
  managementUrl: string;
  /** Rejects when the process exits; lets a start-up wait fail fast with the output. */
  exited: Promise<never>;
  output(): string;
}

/** A port free right now on loopback, for a service we are about to start. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts one service as its own Node process on the given ports, as npm start and a container do. */
export function launchProcess(name: ServiceName, port: number, env: NodeJS.ProcessEnv, managementPort: number): ServiceProcess {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', join(root, 'services', name, 'src', 'main.ts')], {
    cwd: root, env: { ...env, PORT: String(port), MANAGEMENT_PORT: String(managementPort), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}):\n${output.slice(-3000)}`))));
  exited.catch(() => undefined);
  return { name, child, url: `http://127.0.0.1:${port}`, managementUrl: `http://127.0.0.1:${managementPort}`, exited, output: () => output };
}

export interface SystemOptions {
  /** Topic namespace shared by the services (unique per test by default). */
  namespace?: string;
  /** Extra environment for every service (Slack and SMTP stand-ins, thresholds...). */
  env?: Record<string, string>;
  services?: readonly ServiceName[];
}

/** The five services as processes on the real stack, each with its own fresh database. */
export class SystemUnderTest {
  readonly namespace: string;
  readonly secrets: Record<string, string>;
  readonly processes = new Map<ServiceName, ServiceProcess>();
  readonly urls = new Map<ServiceName, string>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly databases = new Map<ServiceName, string>();
  private readonly extras: ServiceProcess[] = [];

  constructor(opts: SystemOptions = {}) {
    this.namespace = opts.namespace ?? uniqueName('system');
    this.secrets = devSecrets(join(mkdtempSync(join(tmpdir(), 'invoice-signal-')), 'dev-secrets.env'));
    this.env = { ...process.env, ...stackEndpoints(), ...this.secrets, TOPIC_NAMESPACE: this.namespace, KAFKA_TOPIC_PARTITIONS: testPartitions, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info', ...opts.env };
  }

  static async start(opts: SystemOptions = {}): Promise<SystemUnderTest> {
    const system = new SystemUnderTest(opts);
    for (const name of opts.services ?? serviceNames) await system.startService(name);
    return system;
  }

  url(name: ServiceName): string {
    const url = this.urls.get(name);
    if (!url) throw new Error(`${name} is not running`);
    return url;
  }

  /** The management port of a running service (/metrics, detailed readiness). */
  managementUrl(name: ServiceName): string {
    const proc = this.processes.get(name);
    if (!proc || !this.urls.has(name)) throw new Error(`${name} is not running`);
    return proc.managementUrl;
  }

  /** Starts (or restarts) a service on its own database, kept across restarts, and waits until ready. */
  async startService(name: ServiceName): Promise<string> {
    if (!this.databases.has(name)) {
      const db = new URL(stackEndpoints().DATABASE_URL);
      db.pathname = `/${uniqueName(name)}`;
      this.databases.set(name, db.toString());
    }
    const variable = `${name.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`;
    const proc = launchProcess(name, await freePort(), { ...this.env, [variable]: this.databases.get(name) }, await freePort());
    this.processes.set(name, proc);
    const ready = eventually(`${name} to report ready`, async () => (await fetch(`${proc.url}/health/ready`)).ok, { timeoutMs: 90_000, intervalMs: 200 });
    await Promise.race([ready, proc.exited]).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${name} output:\n${proc.output().slice(-3000)}`);
    });
    this.urls.set(name, proc.url);
    return proc.url;
  }

  /**
   * Starts another instance of a running service, on the same database and consumer groups (a
   * scale-out): its partitions are rebalanced across the two. Stop it with `stopExtra`.
   */
  async startExtra(name: ServiceName): Promise<ServiceProcess> {
    const database = this.databases.get(name);
    if (!database) throw new Error(`${name} has not been started`);
    const variable = `${name.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`;
    const proc = launchProcess(name, await freePort(), { ...this.env, [variable]: database }, await freePort());
    this.extras.push(proc);
    const ready = eventually(`a second ${name} to report ready`, async () => (await fetch(`${proc.url}/health/ready`)).ok, { timeoutMs: 90_000, intervalMs: 200 });
    await Promise.race([ready, proc.exited]);
    return proc;
  }

  /** Stops every extra instance (SIGTERM: a clean leave of the group). */
  async stopExtras(): Promise<void> {
    const extras = this.extras.splice(0);
    await Promise.all(extras.map(async (proc) => {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
      const exited = once(proc.child, 'exit');
      proc.child.kill('SIGTERM');
      await exited;
    }));
  }

  /** Sends a signal and waits for the process to exit; SIGKILL simulates a crash. */
  async stopService(name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const proc = this.processes.get(name);
    this.urls.delete(name);
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return proc?.child.exitCode ?? null;
    const exited = once(proc.child, 'exit');
    proc.child.kill(signal);
    const [code] = await exited;
    return code as number | null;
  }

  /** The database URL each started service uses (kept across restarts), e.g. to drop them afterwards. */
  databaseUrls(): Map<ServiceName, string> {
    return new Map(this.databases);
  }

  output(name: ServiceName): string {
    return this.processes.get(name)?.output() ?? '';
  }

  async stop(): Promise<void> {
    await this.stopExtras().catch(() => undefined);
    await Promise.all([...this.processes.keys()].map((name) => this.stopService(name).catch(() => undefined)));
  }
}

