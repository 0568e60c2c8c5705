import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriable } from './errors.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. Default Infinity: retry until it passes. */
  attempts?: number;
  /** First delay in ms, doubled each attempt. Default 200. */
  baseMs?: number;
  /** Longest delay in ms. Default 5000. */
  maxMs?: number;
  /** Whether this failure may pass on retry. Default: `isRetriable` (error type and code). */
  retryIf?: (error: unknown) => boolean | Promise<boolean>;
  /** Called before each wait, with the failure and the attempt that failed (1-based). */
  onRetry?: (error: unknown, attempt: number) => void | Promise<void>;
  /** Stops waiting: the last failure is rethrown. */
  signal?: AbortSignal;
}

/** The delay before attempt `attempt + 1`: exponential, capped, with up to 20 % jitter so instances spread out. */
export function backoffMs(attempt: number, baseMs = 200, maxMs = 5000): number {
  const plain = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(plain * (0.8 + Math.random() * 0.2));
}

/**
 * The one retry helper: runs `fn` until it resolves, a failure is not retriable, attempts run out
 * or `signal` aborts. The last failure is rethrown as it was.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? Infinity;
  const retryIf = opts.retryIf ?? isRetriable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || opts.signal?.aborted || !(await retryIf(error))) throw error;
      await opts.onRetry?.(error, attempt);
      await sleep(backoffMs(attempt, opts.baseMs, opts.maxMs), undefined, { signal: opts.signal }).catch(() => undefined);
      if (opts.signal?.aborted) throw error;
    }
  }
}
