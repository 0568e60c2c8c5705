/**
 * CPU accounting from /proc: every process of ours (this one and all its descendants, the bench
 * stack's broker, registry and Postgres with its backends), by group, and the whole machine.
 * "Other work" = machine busy − ours: what the rest of the machine took while we measured.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { machineBusySeconds, stackPids } from './metrics.ts';

const ticks = 100; // USER_HZ on Linux

interface ProcInfo {
  ppid: number;
  /** utime + stime + cutime + cstime: children that exited (and were reaped) stay counted in their parent. */
  cpu: number;
}

function readProcs(): Map<number, ProcInfo> {
  const out = new Map<number, ProcInfo>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / ticks });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export interface CpuSnapshot {
  at: number;
  machine: number;
  /** pid → [group, CPU seconds]. */
  ours: Map<number, [string, number]>;
}

export interface CpuWindow {
  seconds: number;
  /** Cores used on average by each group of our processes. */
  groups: Record<string, number>;
  ours: number;
  machine: number;
  /** machine − ours: other work on the machine. */
  other: number;
}

/**
 * Knows which processes are ours and what to call them. Named pids (services, workers) label
 * their descendants too; the rest of this process's tree is "bench (main)".
 */
export class CpuAccount {
  private readonly named = new Map<number, string>();
  private readonly stackDir: string;
  private readonly registryPort: number;
  constructor(stackDir: string, registryPort: number) {
    this.stackDir = stackDir;
    this.registryPort = registryPort;
  }

  name(pid: number | undefined, group: string): void {
    if (pid !== undefined) this.named.set(pid, group);
  }

  snapshot(): CpuSnapshot {
    const procs = readProcs();
    const stack = stackPids(this.stackDir, this.registryPort);
    const label = new Map<number, string>(this.named);
    for (const [group, pids] of Object.entries(stack)) for (const p of pids) label.set(p, group);
    label.set(process.pid, label.get(process.pid) ?? 'bench (main)');
    const groupOf = (pid: number): string | undefined => {
      const seen: number[] = [];
      let p = pid;
      while (p > 1 && !label.has(p) && procs.has(p) && seen.length < 64) {
        seen.push(p);
        p = procs.get(p)!.ppid;
      }
      const found = label.get(p);
      for (const s of seen) label.set(s, found ?? '');
      return found;
    };
    const ours = new Map<number, [string, number]>();
    for (const [pid, info] of procs) {
      const group = groupOf(pid);
      if (group) ours.set(pid, [group, info.cpu]);
    }
    return { at: performance.now(), machine: machineBusySeconds(), ours };
  }
}

export function cpuWindow(a: CpuSnapshot, z: CpuSnapshot): CpuWindow {
  const seconds = (z.at - a.at) / 1000;
  const groups: Record<string, number> = {};
  for (const [pid, [group, cpu]] of z.ours) {
    // A process born in the window counts whole; one that died took its share with it (its
    // parent's cutime has it once reaped).
    const before = a.ours.get(pid)?.[1] ?? 0;
    groups[group] = (groups[group] ?? 0) + Math.max(0, cpu - before) / seconds;
  }
  // A process of ours that exited in the window: its parent's cutime now holds all its CPU, of
  // which only what came after the first snapshot belongs to the window.
  for (const [pid, [group, cpu]] of a.ours) if (!z.ours.has(pid) && groups[group] !== undefined) groups[group] = Math.max(0, groups[group]! - cpu / seconds);
  const ours = Object.values(groups).reduce((s, c) => s + c, 0);
  const machine = (z.machine - a.machine) / seconds;
  return { seconds, groups, ours, machine, other: Math.max(0, machine - ours) };
}

/** Measures a quiet window of `seconds` (nothing offered): how much CPU other work takes. */
export async function quietWindow(account: CpuAccount, seconds: number): Promise<CpuWindow> {
  const a = account.snapshot();
  await sleep(seconds * 1000);
  return cpuWindow(a, account.snapshot());
}

/** RSS of a process in bytes (VmRSS); NaN when it is gone. */
export function rssOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
