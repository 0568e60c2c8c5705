/**
 * Open-loop load: the i-th request is scheduled at t0 + i / rate whatever the target does, so a
 * slow target meets a growing queue instead of a politely waiting client (no coordinated
 * omission), and latency counts from the scheduled instant. In-flight requests are bounded by the
 * connections the client holds (one request per connection, so the client itself never queues);
 * a request due while every connection is busy is shed (not sent) and counted.
 * A step is a warm-up then a steady window at the same rate; figures are for the steady window.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpPool } from './deps.ts';
import { summarize, type Summary } from './stats.ts';

export interface Request {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface OpenLoopOptions {
  rate: number;
  warmupSeconds: number;
  seconds: number;
  maxInFlight: number;
  /** Sends the i-th request; resolves with its outcome ('2xx' counts as accepted). */
  send(i: number): Promise<string>;
  /** The warm-up is over (epoch ms of the first steady instant). */
  onSteady?(at: number): void;
  /** The last request was scheduled and handed over (epoch ms). */
  onSent?(at: number): void;
}

export interface Counts {
  scheduled: number;
  sent: number;
  ok: number;
  failed: number;
  shed: number;
}

export interface LoadResult {
  rate: number;
  warmupSeconds: number;
  seconds: number;
  /** Epoch ms at which request 0 was scheduled: request i was due at t0 + i × 1000 / rate. */
  t0: number;
  steadyAt: number;
  endedAt: number;
  /** Index of the first request of the steady window. */
  firstSteady: number;
  total: Counts;
  steady: Counts;
  statuses: Record<string, number>;
  /** Scheduled instant → accepted (steady window), ms. */
  latency: Summary;
  /** Scheduled instant → handed to the client (steady window): the generator's own lag, ms. */
  lag: Summary;
  /** Accepted per second over the steady window. */
  achieved: number;
  /** Indexes of requests not accepted (shed or failed), at most 100,000. */
  notAccepted: number[];
}

const zero = (): Counts => ({ scheduled: 0, sent: 0, ok: 0, failed: 0, shed: 0 });

export async function openLoop(o: OpenLoopOptions): Promise<LoadResult> {
  const firstSteady = Math.round(o.rate * o.warmupSeconds);
  const total = firstSteady + Math.round(o.rate * o.seconds);
  const latencies: number[] = [];
  const lags: number[] = [];
  const statuses: Record<string, number> = {};
  const all = zero();
  const steady = zero();
  const notAccepted: number[] = [];
  const pending = new Set<Promise<void>>();
  const start = performance.now() + 20;
  const epoch = (t: number) => performance.timeOrigin + t;
  const due = (i: number) => start + (i * 1000) / o.rate;
  let inFlight = 0;

  const fire = (i: number) => {
    const scheduled = due(i);
    const counts = i >= firstSteady ? [all, steady] : [all];
    for (const c of counts) c.sent += 1;
    if (i >= firstSteady) lags.push(performance.now() - scheduled);
    inFlight += 1;
    const p = o.send(i).then((outcome) => {
      statuses[outcome] = (statuses[outcome] ?? 0) + 1;
      if (outcome === '2xx') {
        for (const c of counts) c.ok += 1;
        if (i >= firstSteady) latencies.push(performance.now() - scheduled);
      } else {
        for (const c of counts) c.failed += 1;
        if (notAccepted.length < 100_000) notAccepted.push(i);
      }
    }).finally(() => {
      inFlight -= 1;
      pending.delete(p);
    });
    pending.add(p);
  };

  let next = 0;
  while (next < total) {
    const upTo = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
    for (; next < upTo; next++) {
      if (next === firstSteady) o.onSteady?.(epoch(due(next)));
      const counts = next >= firstSteady ? [all, steady] : [all];
      for (const c of counts) c.scheduled += 1;
      if (inFlight >= o.maxInFlight) {
        for (const c of counts) c.shed += 1;
        if (notAccepted.length < 100_000) notAccepted.push(next);
      } else fire(next);
    }
    await sleep(1);
  }
  const endedAt = epoch(performance.now());
  o.onSent?.(endedAt);
  await Promise.all(pending);
  const steadyAt = epoch(due(firstSteady));
  return {
    rate: o.rate, warmupSeconds: o.warmupSeconds, seconds: o.seconds, t0: epoch(due(0)), steadyAt, endedAt, firstSteady,
    total: all, steady, statuses, latency: summarize(latencies), lag: summarize(lags), achieved: steady.ok / o.seconds, notAccepted,
  };
}

/** A closed loop of `concurrency` workers for `seconds`: the most the target answers per second. */
export async function closedLoop(pool: HttpPool, concurrency: number, seconds: number, request: (i: number) => Request): Promise<{ perSecond: number; latency: Summary; failed: number; concurrency: number }> {
  const end = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let i = 0;
  let failed = 0;
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        const res = await pool.request({ method: 'POST', ...request(i++) });
        await res.body.dump();
        if (res.statusCode < 300) latencies.push(performance.now() - t);
        else failed += 1;
      } catch {
        failed += 1;
      }
    }
  }));
  return { perSecond: latencies.length / ((performance.now() - began) / 1000), latency: summarize(latencies), failed, concurrency };
}
