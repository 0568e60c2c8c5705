/**
 * The soak: one long step at the highest sustained rate, with the resident memory of every
 * service sampled every 10 s. Memory is flat when the last sample is within 10 % of the sample
 * taken after the first minute (start-up, JIT and pools have settled by then).
 */
import { rssOf } from './cpu.ts';
import { runStep, type StepContext, type StepOptions, type StepResult } from './system-load.ts';

export interface MemorySeries {
  service: string;
  /** [seconds since the soak began, RSS bytes]. */
  samples: Array<[number, number]>;
  first: number;
  afterOneMinute: number;
  last: number;
  max: number;
  flat: boolean;
}

export interface Soak {
  rate: number;
  seconds: number;
  step: StepResult;
  memory: MemorySeries[];
}

export function memorySeries(service: string, samples: Array<[number, number]>): MemorySeries {
  const values = samples.map(([, v]) => v).filter(Number.isFinite);
  const settled = samples.find(([t]) => t >= 60)?.[1] ?? values[0] ?? Number.NaN;
  const last = values.at(-1) ?? Number.NaN;
  return { service, samples, first: values[0] ?? Number.NaN, afterOneMinute: settled, last, max: Math.max(...values), flat: Math.abs(last - settled) <= 0.1 * settled };
}

export async function soak(ctx: StepContext, pids: Map<string, number>, o: Omit<StepOptions, 'every10s'>): Promise<Soak> {
  const began = Date.now();
  const samples = new Map<string, Array<[number, number]>>([...pids.keys()].map((s) => [s, []]));
  const every10s = () => {
    const t = (Date.now() - began) / 1000;
    for (const [service, pid] of pids) samples.get(service)!.push([t, rssOf(pid)]);
  };
  const step = await runStep(ctx, { ...o, every10s });
  every10s();
  return { rate: o.rate, seconds: o.seconds, step, memory: [...samples].map(([s, v]) => memorySeries(s, v)) };
}
