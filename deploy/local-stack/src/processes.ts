import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A long-running process the stack started, tracked by a pid file so `down` finds it later. */
export interface Daemon {
  name: string;
  pidFile: string;
  logFile: string;
}

export function daemon(stackDir: string, name: string): Daemon {
  return { name, pidFile: join(stackDir, 'run', `${name}.pid`), logFile: join(stackDir, 'logs', `${name}.log`) };
}

export function pidOf(d: Daemon): number | undefined {
  if (!existsSync(d.pidFile)) return undefined;
  const pid = Number(readFileSync(d.pidFile, 'utf8').trim());
  return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a detached process group whose output goes to the daemon's log file. */
export function startDaemon(d: Daemon, command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  mkdirSync(dirname(d.pidFile), { recursive: true });
  mkdirSync(dirname(d.logFile), { recursive: true });
  const out = openSync(d.logFile, 'a');
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${d.name}: ${command}`);
  child.unref();
  writeFileSync(d.pidFile, String(child.pid));
  return child.pid;
}

/** SIGTERM the whole process group, wait up to graceSeconds, then SIGKILL what is left. */
export async function stopDaemon(d: Daemon, graceSeconds = 30): Promise<boolean> {
  const pid = pidOf(d);
  if (pid === undefined) {
    rmSync(d.pidFile, { force: true });
    return false;
  }
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceSeconds * 1000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(100);
  rmSync(d.pidFile, { force: true });
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Runs a command to completion without blocking (progress keeps showing), giving each line of its
 * output (split on \r as well: progress bars) to `onLine`; throws with the output's tail when it fails.
 */
export async function runAsync(
  command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {},
): Promise<string> {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let tail = '';
  let partial = '';
  const take = (chunk: Buffer, isStdout: boolean) => {
    const text = chunk.toString('utf8');
    if (isStdout) stdout += text;
    tail = (tail + text).slice(-8000);
    const lines = (partial + text).split(/\r|\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) opts.onLine?.(line);
  };
  child.stdout.on('data', (c: Buffer) => take(c, true));
  child.stderr.on('data', (c: Buffer) => take(c, false));
  const [status, error] = await new Promise<[number | null, Error | undefined]>((resolve) => {
    child.once('error', (e) => resolve([null, e]));
    child.once('close', (code) => resolve([code, undefined]));
  });
  if (error) throw new Error(`${command} could not run: ${error.message}`);
  if (status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${status}:\n${tail.trim().split(/\r|\n/).filter(Boolean).slice(-30).join('\n')}`);
  return stdout;
}

/** Polls `probe` until it resolves truthy or the deadline passes; the last error explains a timeout. */
export async function waitFor(what: string, deadlineAt: number, probe: () => Promise<boolean>, alive?: () => boolean): Promise<void> {
  let lastError = 'not ready yet';
  while (Date.now() < deadlineAt) {
    if (alive && !alive()) throw new Error(`${what} exited while starting; see its log`);
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(500);
  }
  throw new Error(`${what} was not ready before the deadline: ${lastError}`);
}
