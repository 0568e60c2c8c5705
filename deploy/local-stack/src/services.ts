import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { daemon, pidOf, startDaemon, stopDaemon, waitFor } from './processes.ts';

/** The five services with their default ports (the configuration contract). */
export const serviceNames = ['ingest-gateway', 'enricher', 'risk-scorer', 'notifier', 'payment-tracker'] as const;
export type ServiceName = (typeof serviceNames)[number];
export const defaultPorts: Record<ServiceName, number> = {
  'ingest-gateway': 3001, enricher: 3002, 'risk-scorer': 3003, notifier: 3004, 'payment-tracker': 3005,
};

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const serviceDaemon = (stackDir: string, name: ServiceName) => daemon(stackDir, `service-${name}`);

/** Starts a service as a background process on the pinned Node, logging to <stackDir>/logs. */
export function launchService(stackDir: string, name: ServiceName, env: NodeJS.ProcessEnv): number {
  const d = serviceDaemon(stackDir, name);
  const running = pidOf(d);
  if (running !== undefined) return running;
  const node = join(repoRoot, 'node_modules', '.bin', 'node');
  const main = join(repoRoot, 'services', name, 'src', 'main.ts');
  return startDaemon(d, existsSync(node) ? node : process.execPath, ['--disable-warning=TimeoutNegativeWarning', main], { cwd: repoRoot, env });
}

export async function waitForService(stackDir: string, name: ServiceName, port: number, deadlineAt: number): Promise<void> {
  const alive = () => pidOf(serviceDaemon(stackDir, name)) !== undefined;
  await waitFor(name, deadlineAt, async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, alive);
}

/** Development helpers `npm start` runs beside the services (the demo's sinks and vendor feed). */
export const devToolNames = ['dev-sinks', 'demo-feed'] as const;
export type DevToolName = (typeof devToolNames)[number];
const devToolDaemon = (stackDir: string, name: DevToolName) => daemon(stackDir, name);

export function launchDevTool(stackDir: string, name: DevToolName, script: string, env: NodeJS.ProcessEnv): number {
  const d = devToolDaemon(stackDir, name);
  const running = pidOf(d);
  if (running !== undefined) return running;
  const node = join(repoRoot, 'node_modules', '.bin', 'node');
  return startDaemon(d, existsSync(node) ? node : process.execPath, ['--disable-warning=TimeoutNegativeWarning', script], { cwd: repoRoot, env });
}

export function devToolLog(stackDir: string, name: DevToolName): string {
  return devToolDaemon(stackDir, name).logFile;
}

export async function stopServices(stackDir: string, say: (line: string) => void = console.log): Promise<void> {
  await Promise.all([
    ...serviceNames.map(async (name) => {
      if (await stopDaemon(serviceDaemon(stackDir, name), 20)) say(`stopped ${name}`);
    }),
    ...devToolNames.map(async (name) => {
      if (await stopDaemon(devToolDaemon(stackDir, name), 10)) say(`stopped ${name}`);
    }),
  ]);
}

export function servicePids(stackDir: string): Record<string, number | undefined> {
  return Object.fromEntries([
    ...serviceNames.map((n) => [n, pidOf(serviceDaemon(stackDir, n))]),
    ...devToolNames.map((n) => [n, pidOf(devToolDaemon(stackDir, n))]),
  ]);
}

export function serviceLog(stackDir: string, name: ServiceName): string {
  return serviceDaemon(stackDir, name).logFile;
}

export function tailOf(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';
}
