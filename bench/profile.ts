/**
 * Where the CPU goes inside each service: with --profile the services run under `node --cpu-prof`
 * (V8's sampling profiler, written when the process exits on SIGTERM), and this sums the self time
 * of the samples by package (kafkajs, pg, knex, avsc, pino, ...) or by the project's own code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** A stack frame's owner: the npm package, the workspace package/service, node internals or V8. */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node core';
  const own = /\/(services\/[^/]+|packages\/[^/]+)\//.exec(url);
  return own ? own[1]! : url;
}

/** Share of the busy samples (idle excluded) per owner, largest first. */
export function summarizeProfile(file: string): Array<[string, number]> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    const owner = ownerOf(node.callFrame.url, node.callFrame.functionName);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
    busy += 1;
  }
  return [...counts.entries()].map(([k, n]) => [k, n / busy] as [string, number]).sort((a, b) => b[1] - a[1]);
}

/** The profile each service wrote (one file per process; the service is found from its main.ts frames). */
export function profilesIn(dir: string): Map<string, Array<[string, number]>> {
  const out = new Map<string, Array<[string, number]>>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    const service = /services\/([a-z-]+)\/src\/main\.ts/.exec(text)?.[1] ?? /services\/([a-z-]+)\/src\//.exec(text)?.[1] ?? f;
    out.set(service, summarizeProfile(join(dir, f)));
  }
  return out;
}
