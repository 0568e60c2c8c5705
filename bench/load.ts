/**
 * Open-loop load generator: requests are scheduled at a fixed rate whatever the server does, so a
 * slow server meets a growing queue instead of a politely waiting client (no coordinated omission).
 * Latency counts from the scheduled instant. In-flight requests are bounded; a request due while
 * the bound is reached is shed (not sent) and counted, so an overloaded target shows up as such.
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

export interface LoadOptions {
  pool: HttpPool;
  rate: number;
  seconds: number;
  maxInFlight: number;
  /** The i-th request; built ahead of the clock when possible (see prepare). */
  request(i: number): Request;
  /** Called with the wall-clock instant (epoch ms) the i-th request was scheduled for. */
  onScheduled?(i: number, scheduledAt: number): void;
}

export interface LoadResult {
  offered: number;
  seconds: number;
  sent: number;
  ok: number;
  failed: number;
  shed: number;
  statuses: Record<string, number>;
  /** Scheduled instant → response, ms. */
  latency: Summary;
  /** Scheduled instant → actually handed to the client, ms (the generator's own lag). */
  lag: Summary;
  /** 2xx responses per second of the window. */
  achieved: number;
  startedAt: number;
  endedAt: number;
}

export async function openLoop(opts: LoadOptions): Promise<LoadResult> {
  const total = Math.round(opts.rate * opts.seconds);
  const latencies: number[] = [];
  const lags: number[] = [];
  const statuses: Record<string, number> = {};
  let inFlight = 0;
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let shed = 0;
  const pending = new Set<Promise<void>>();
  const t0 = performance.now() + 20;
  const startedAt = performance.timeOrigin + t0;

  const fire = (i: number, scheduled: number) => {
    const req = opts.request(i);
    opts.onScheduled?.(i, performance.timeOrigin + scheduled);
    lags.push(performance.now() - scheduled);
    inFlight += 1;
    sent += 1;
    const p = opts.pool.request({ method: 'POST', ...req }).then(async (res) => {
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode < 300) {
        ok += 1;
        latencies.push(performance.now() - scheduled);
      } else failed += 1;
    }, (error: Error) => {
      statuses[error.name] = (statuses[error.name] ?? 0) + 1;
      failed += 1;
    }).finally(() => {
      inFlight -= 1;
      pending.delete(p);
    });
    pending.add(p);
  };

  let next = 0;
  while (next < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - t0) / 1000) * opts.rate) + 1);
    for (; next < due; next++) {
      const scheduled = t0 + (next * 1000) / opts.rate;
      if (inFlight >= opts.maxInFlight) shed += 1;
      else fire(next, scheduled);
    }
    await sleep(2);
  }
  const endedAt = performance.timeOrigin + performance.now();
  await Promise.all(pending);
  const window = (endedAt - startedAt) / 1000;
  return { offered: opts.rate, seconds: window, sent, ok, failed, shed, statuses, latency: summarize(latencies), lag: summarize(lags), achieved: ok / window, startedAt, endedAt };
}

/** A closed loop of `concurrency` workers for `seconds`: the most the target answers per second. */
export async function closedLoop(pool: HttpPool, concurrency: number, seconds: number, request: (i: number) => Request): Promise<{ perSecond: number; latency: Summary; failed: number }> {
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
  return { perSecond: latencies.length / ((performance.now() - began) / 1000), latency: summarize(latencies), failed };
}
