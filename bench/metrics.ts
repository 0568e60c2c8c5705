/** Prometheus scrapes of the services, and CPU of the stack's own processes from /proc. */
import { readdirSync, readFileSync } from 'node:fs';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type Scrape = Sample[];

export function parseProm(text: string): Scrape {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export async function scrape(url: string): Promise<Scrape> {
  try {
    return parseProm(await (await fetch(`${url}/metrics`)).text());
  } catch {
    return [];
  }
}

export function sum(s: Scrape, name: string, where: (labels: Record<string, string>) => boolean = () => true): number {
  return s.filter((x) => x.name === name && where(x.labels)).reduce((a, x) => a + x.value, 0);
}

/** Quantile of a Prometheus histogram from the bucket deltas between two scrapes (upper bound of the bucket). */
export function histogramQuantile(before: Scrape, after: Scrape, name: string, q: number): number {
  const buckets = after.filter((x) => x.name === `${name}_bucket`).map((x) => ({ le: Number(x.labels.le === '+Inf' ? Infinity : x.labels.le), n: x.value - sum(before, `${name}_bucket`, (l) => l.le === x.labels.le) }));
  const merged = new Map<number, number>();
  for (const b of buckets) merged.set(b.le, (merged.get(b.le) ?? 0) + b.n);
  const sorted = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return Number.NaN;
  return sorted.find(([, n]) => n >= q * total)?.[0] ?? Number.NaN;
}

/**
 * The stack's processes (broker, registry, Postgres and its backends) of the stack in `stackDir`,
 * found by command line: other stacks may run on the same machine (a reliability suite's own).
 */
export function stackPids(stackDir: string, registryPort: number): Record<string, number[]> {
  const groups: Record<string, number[]> = { kafka: [], registry: [], postgres: [] };
  const parents = new Map<number, number>();
  let postmaster = -1;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      continue;
    }
    if (cmd.includes('kafka.Kafka') && cmd.includes(`${stackDir}/kafka/`)) groups.kafka!.push(Number(entry));
    else if (cmd.includes('quarkus-run.jar') && cmd.includes(`-Dquarkus.http.port=${registryPort} `)) groups.registry!.push(Number(entry));
    else if (cmd.includes('bin/postgres') && cmd.includes(`${stackDir}/postgres/`)) postmaster = Number(entry);
  }
  for (const [pid, ppid] of parents) if (pid === postmaster || ppid === postmaster) groups.postgres!.push(pid);
  return groups;
}

const ticks = 100; // USER_HZ on Linux

/** Whole-machine CPU seconds (busy, all cores) from /proc/stat. */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3]! + (cpu[4] ?? 0);
  return (cpu.reduce((a, b) => a + b, 0) - idle) / ticks;
}
