import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/**
 * `npm run audit` (what CI runs after the tests) against a stand-in registry that answers pnpm's
 * bulk advisory endpoint the way registry.npmjs.org does, naming one of our production
 * dependencies: the severity it reports decides whether CI fails.
 */
describe('the dependency audit in CI', () => {
  let answer: { status: number; severity?: string } = { status: 200 };
  const asked: Array<Record<string, string[]>> = [];
  let server: Server;
  let registry: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/-/npm/v1/security/advisories/bulk' || answer.status !== 200) return void res.writeHead(answer.status === 200 ? 404 : answer.status).end();
        const raw = Buffer.concat(chunks);
        const packages = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as Record<string, string[]>;
        asked.push(packages);
        const advisories = answer.severity && packages.zod
          ? { zod: [{ id: 1, url: 'https://advisories.example/1', title: `Planted ${answer.severity} advisory`, severity: answer.severity, vulnerable_versions: '>=0.0.0', cwe: [], cvss: { score: 0, vectorString: null } }] }
          : {};
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(advisories));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The audit script as CI runs it (npm run audit, without the installer in front), pointed at the stand-in. */
  async function audit(): Promise<{ code: number; output: string }> {
    try {
      const { stdout, stderr } = await run(join(root, 'node_modules', '.bin', 'node'), [join(root, 'scripts', 'audit.ts')], {
        cwd: root, env: { ...process.env, pnpm_config_registry: registry, npm_config_registry: registry }, timeout: 120_000,
      });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, output: e.stdout + e.stderr };
    }
  }

  it.each(['high', 'critical'])('fails on a %s advisory of a production dependency, naming it', async (severity) => {
    answer = { status: 200, severity };
    const { code, output } = await audit();
    expect(code).toBe(1);
    expect(output).toContain(`Planted ${severity} advisory`);
    // Production dependencies only (--prod): the services' zod, not the test tools.
    expect(Object.keys(asked.at(-1)!)).toContain('zod');
    expect(Object.keys(asked.at(-1)!)).not.toContain('vitest');
  }, 150_000);

  it('passes on a moderate advisory and on none', async () => {
    answer = { status: 200, severity: 'moderate' };
    const moderate = await audit();
    expect(moderate.code).toBe(0);
    expect(moderate.output).toContain('Severity: 1 moderate');
    answer = { status: 200 };
    expect((await audit()).code).toBe(0);
  }, 150_000);

  it('passes, saying nothing was checked, when the registry has no audit endpoint', async () => {
    answer = { status: 405 };
    const { code, output } = await audit();
    expect(code).toBe(0);
    expect(output).toContain('the registry did not answer the audit endpoint; nothing was checked');
  }, 150_000);
});
