import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceNames } from '@invoice-signal/local-stack';
import { eventually, stackEndpoints, uniqueName } from '@invoice-signal/testkit';
import { devSecrets } from '../../scripts/dev-secrets.ts';

const root = join(import.meta.dirname, '..', '..');

/** Starts a service as its own process, the way npm start and a container do, and finds its URL in the log. */
function launch(name: string, env: NodeJS.ProcessEnv): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', join(root, 'services', name, 'src', 'main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)".*listening/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening:\n${output.slice(-3000)}`)));
  });
  url.catch(() => undefined);
  return { child, url, output: () => output };
}

describe('every service as a process', () => {
  const namespace = uniqueName('procs');
  const secrets = devSecrets(join(mkdtempSync(join(tmpdir(), 'secrets-')), 'dev-secrets.env'));
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

  it.each([...serviceNames])('%s starts, connects, reports ready, and stops cleanly on SIGTERM', async (name) => {
    const endpoints = stackEndpoints();
    const db = new URL(endpoints.DATABASE_URL);
    db.pathname = `/${uniqueName(name)}`;
    const env = {
      ...process.env, ...endpoints, ...secrets, PORT: '0', HOST: '127.0.0.1', TOPIC_NAMESPACE: namespace, LOG_LEVEL: 'info',
      [`${name.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`]: db.toString(),
    };
    const service = launch(name, env);
    children.push(service.child);
    const url = await service.url;
    const ready = await eventually(`${name} to report ready`, async () => {
      const res = await fetch(`${url}/health/ready`);
      return res.ok ? ((await res.json()) as { checks: Record<string, string> }) : undefined;
    }, { timeoutMs: 30000 });
    expect(ready.checks).toMatchObject({ database: 'ok', kafka: 'ok', registry: 'ok', consumers: 'ok' });
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('process_cpu');

    service.child.kill('SIGTERM');
    const [code] = await once(service.child, 'exit');
    expect(code).toBe(0);
    expect(service.output()).toContain(`"msg":"${name} stopped"`);
  });
});
