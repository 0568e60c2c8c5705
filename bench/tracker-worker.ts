/**
 * The latency tracker, a process of its own (its CPU is reported apart). Started with the
 * namespace to follow; answers the bench with per-step figures computed here, so no per-invoice
 * data crosses the process boundary.
 *   node bench/tracker-worker.ts <brokers> <registryUrl> <namespace>
 */
import { summarize, type Summary } from './stats.ts';
import { PipelineTracker, stages, type Stage, type TrackedStep } from './tracker.ts';
import { serve } from './worker.ts';

const [brokers, registryUrl, namespace] = process.argv.slice(2) as [string, string, string];
const tracker = new PipelineTracker(namespace, registryUrl);
await tracker.start(brokers.split(','));

/** Backlog samples per step: [epoch ms, invoices past the gateway and not yet notified, notified]. */
const series = new Map<string, { timer: NodeJS.Timeout; points: Array<[number, number, number]> }>();

function step(label: string): TrackedStep {
  const s = tracker.steps.get(label);
  if (!s) throw new Error(`step ${label} is not registered`);
  return s;
}

export interface StepSummary {
  /** Webhook scheduled → notification, steady-window invoices that were accepted; never notified = Infinity. */
  endToEnd: Summary;
  /** Stage → latency it added (ms), steady-window invoices. */
  stageLatency: Record<string, Summary>;
  /** Stage → invoices whose record on that stage's topic has a timestamp in the window. */
  inWindow: Record<Stage, number>;
  notified: number;
  accepted: number;
  drained: boolean;
  backlog: Array<[number, number, number]>;
}

function countsBetween(s: TrackedStep, from: number, to: number): Record<Stage, number> {
  const out = { events: 0, enriched: 0, assessed: 0, notifications: 0 };
  for (const stage of stages) {
    const a = s.seen[stage];
    for (let i = 0; i < a.length; i++) if (a[i]! >= from && a[i]! <= to) out[stage] += 1;
  }
  return out;
}

function summary(p: { label: string; t0: number; rate: number; firstSteady: number; steadyAt: number; endedAt: number; notAccepted: number[] }): StepSummary {
  const s = step(p.label);
  const skip = new Set(p.notAccepted);
  const due = (i: number) => p.t0 + (i * 1000) / p.rate;
  const e2e: number[] = [];
  const hops: Record<string, number[]> = { gateway: [], enricher: [], 'risk-scorer': [], notifier: [] };
  const { events, enriched, assessed, notifications } = s.seen;
  for (let i = p.firstSteady; i < s.total; i++) {
    if (skip.has(i)) continue;
    const n = notifications[i]!;
    e2e.push(Number.isNaN(n) ? Number.POSITIVE_INFINITY : n - due(i));
    const pairs: Array<[string, number, number]> = [['gateway', due(i), events[i]!], ['enricher', events[i]!, enriched[i]!], ['risk-scorer', enriched[i]!, assessed[i]!], ['notifier', assessed[i]!, n]];
    for (const [hop, a, z] of pairs) if (!Number.isNaN(a) && !Number.isNaN(z)) hops[hop]!.push(z - a);
  }
  const accepted = s.total - skip.size;
  return {
    endToEnd: summarize(e2e),
    stageLatency: Object.fromEntries(Object.entries(hops).map(([k, v]) => [k, summarize(v)])),
    inWindow: countsBetween(s, p.steadyAt, p.endedAt),
    notified: s.counts.notifications,
    accepted,
    drained: s.counts.notifications >= accepted,
    backlog: series.get(p.label)?.points ?? [],
  };
}

serve({
  register: (p: { label: string; total: number }) => void tracker.register(p.label, p.total),
  progress: (p: { label: string }) => step(p.label).counts,
  'sample-start': (p: { label: string; everyMs: number }) => {
    const s = step(p.label);
    const points: Array<[number, number, number]> = [];
    const timer = setInterval(() => points.push([Date.now(), s.counts.events - s.counts.notifications, s.counts.notifications]), p.everyMs);
    series.set(p.label, { timer, points });
  },
  'sample-stop': (p: { label: string }) => clearInterval(series.get(p.label)?.timer),
  'window-counts': (p: { label: string; from: number; to: number }) => countsBetween(step(p.label), p.from, p.to),
  summary,
  forget: (p: { label: string }) => {
    clearInterval(series.get(p.label)?.timer);
    series.delete(p.label);
    tracker.steps.delete(p.label);
  },
  requests: () => ({ ...tracker.requests }),
  sizes: () => tracker.sizes,
}, () => tracker.stop());
