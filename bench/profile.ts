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
  children?: number[];
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

const runtimeOwners = new Set(['(native)', 'node core', '(program)', '(garbage collector)', '(root)']);

/**
 * Share of the busy samples (idle excluded) per owner, largest first. Time in node core and native
 * code (sockets, buffers, JSON) is charged to the nearest caller that is a package or our code, so
 * "kafkajs" includes the socket writes kafkajs asked for.
 */
export function summarizeProfile(file: string): Array<[string, number]> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const charged = new Map<number, string>();
  const chargeOf = (id: number): string => {
    const known = charged.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const own = ownerOf(node.callFrame.url, node.callFrame.functionName);
    const up = parent.get(id);
    const result = !runtimeOwners.has(own) || up === undefined ? own : ((p) => (runtimeOwners.has(p) ? own : p))(chargeOf(up));
    charged.set(id, result);
    return result;
  };
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const owner = chargeOf(id);
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
