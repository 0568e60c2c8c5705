import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@invoice-signal/testkit';

/** Pinned, so every machine tests against the same API stand-in. */
const version = 'v0.203.0';
const gobin = join(homedir(), '.cache', 'invoice-signal', 'go', `stripe-mock-${version}`);
const binary = join(gobin, 'stripe-mock');

/** Builds stripe-mock (Stripe's own API stand-in, a Go module) once, only when it is missing. */
async function ensureStripeMock(): Promise<string> {
  if (existsSync(binary)) return binary;
  await promisify(execFile)('go', ['install', `github.com/stripe/stripe-mock@${version}`], { env: { ...process.env, GOBIN: gobin }, timeout: 300_000 });
  return binary;
}

/** Starts stripe-mock on free loopback ports; `stop` ends that process only. */
export async function startStripeMock(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(await ensureStripeMock(), ['-http-addr', '127.0.0.1:0', '-https-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const port = await eventually('stripe-mock to listen', () => /HTTP at address: 127\.0\.0\.1:(\d+)/.exec(output)?.[1], { timeoutMs: 20_000 });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
