import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
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
  /** Resolves with the URL the service logged when it started listening. */
  url: Promise<string>;
  output(): string;
}

/** Starts one service as its own Node process, as npm start and a container do. */
export function launchProcess(name: ServiceName, env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', join(root, 'services', name, 'src', 'main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = new Promise<string>((resolveUrl, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 2_000_000) output = output.slice(-1_000_000);
      const match = /"url":"(http:\/\/[^"]+)".*listening/.exec(output);
      if (match) resolveUrl(match[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${output.slice(-3000)}`)));
  });
  url.catch(() => undefined);
  return { name, child, url, output: () => output };
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

  constructor(opts: SystemOptions = {}) {
    this.namespace = opts.namespace ?? uniqueName('system');
    this.secrets = devSecrets(join(mkdtempSync(join(tmpdir(), 'invoice-signal-')), 'dev-secrets.env'));
    this.env = { ...process.env, ...stackEndpoints(), ...this.secrets, HOST: '127.0.0.1', PORT: '0', TOPIC_NAMESPACE: this.namespace, KAFKA_TOPIC_PARTITIONS: testPartitions, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info', ...opts.env };
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

  /** Starts (or restarts) a service on its own database, kept across restarts, and waits until ready. */
  async startService(name: ServiceName): Promise<string> {
    if (!this.databases.has(name)) {
      const db = new URL(stackEndpoints().DATABASE_URL);
      db.pathname = `/${uniqueName(name)}`;
      this.databases.set(name, db.toString());
    }
    const variable = `${name.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`;
    const proc = launchProcess(name, { ...this.env, [variable]: this.databases.get(name) });
    this.processes.set(name, proc);
    const url = await proc.url;
    await eventually(`${name} to report ready`, async () => (await fetch(`${url}/health/ready`)).ok, { timeoutMs: 60000, intervalMs: 200 });
    this.urls.set(name, url);
    return url;
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

  output(name: ServiceName): string {
    return this.processes.get(name)?.output() ?? '';
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((name) => this.stopService(name).catch(() => undefined)));
  }
}
