import { setTimeout as sleep } from 'node:timers/promises';
import { Counter } from 'prom-client';
import type { Knex } from './db.ts';
import { tryLockKey } from './locks.ts';
import type { Logger } from './logger.ts';
import { backoffMs } from './retry.ts';
import { inSpan } from './spans.ts';

const jobRuns = new Counter({
  name: 'job_runs_total', help: 'Runs of background jobs, by job and outcome (done, idle, skipped, failed)', labelNames: ['job', 'outcome'] as const,
});

export interface JobContext {
  /** Set for a singleton job: the transaction holding the job's lock (write through it to stay in the run). */
  trx?: Knex.Transaction;
  /** Aborted when the service stops: a long run checks it between steps. */
  signal: AbortSignal;
}

export interface JobOptions {
  /** Names the job in logs, metrics, spans and its lock. */
  name: string;
  /** Runs at least this often, ms. */
  everyMs: number;
  /**
   * One instance at a time across the deployment: the run happens inside a transaction that holds
   * the advisory lock `job:<name>`, and an instance that finds it taken skips the run.
   */
  singleton?: boolean;
  /**
   * One run. Return how many items it handled: a positive count means there may be more, so the
   * job runs again at once (a backlog drains without waiting for the interval).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a run that counts nothing simply returns
  run(ctx: JobContext): Promise<number | void>;
}

/**
 * What a requested run did: `done` handled something (its follow-ups included), `idle` found nothing,
 * `skipped` found the singleton lock taken (another instance runs it), `stopped` never ran (the job stopped).
 * A failed run rejects.
 */
export type JobOutcome = 'done' | 'idle' | 'skipped' | 'stopped';

export interface RunningJob {
  /** Runs soon (coalesced with a run already due), instead of waiting for the interval. */
  wake(): void;
  /** Runs now; resolves with what the first run begun after the call (and its follow-ups) did, rejects if it failed. */
  runNow(): Promise<JobOutcome>;
  stop(): Promise<void>;
}

interface Waiter {
  /** The last run begun before the call: only a later run answers it. */
  after: number;
  handled: boolean;
  resolve(outcome: JobOutcome): void;
  reject(error: unknown): void;
}

/**
 * The one job runner: an interval, a wake-up, an optional single-instance lock, a span and a
 * counter per run; a failing run is logged and retried after a growing delay (capped at the
 * interval), never rethrown.
 */
export function startJob(db: Knex, logger: Logger, opts: JobOptions): RunningJob {
  const log = logger.child({ job: opts.name });
  const stopping = new AbortController();
  let wakeUp: (() => void) | undefined;
  let pending = false;
  let failures = 0;
  let begun = 0;
  // runNow callers, each answered by the first run that began after its call and left nothing more to do (or failed).
  let waiters: Waiter[] = [];
  const answer = (run: number, settle: (w: Waiter) => void) => {
    waiters = waiters.filter((w) => (w.after < run ? void settle(w) : true));
  };

  async function once(): Promise<number> {
    return inSpan(`job ${opts.name}`, async () => {
      const handled = opts.singleton
        ? await db.transaction(async (trx) => ((await tryLockKey(trx, `job:${opts.name}`)) ? ((await opts.run({ trx, signal: stopping.signal })) ?? 0) : -1))
        : ((await opts.run({ signal: stopping.signal })) ?? 0);
      jobRuns.inc({ job: opts.name, outcome: handled < 0 ? 'skipped' : handled > 0 ? 'done' : 'idle' });
      return handled;
    });
  }

  const waitForWork = (ms: number) =>
    pending || stopping.signal.aborted
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      pending = false;
      const run = ++begun;
      try {
        const handled = await once();
        failures = 0;
        if (handled > 0) {
          for (const w of waiters) if (w.after < run) w.handled = true;
          continue;
        }
        answer(run, (w) => w.resolve(handled < 0 ? 'skipped' : w.handled ? 'done' : 'idle'));
        await waitForWork(handled < 0 ? Math.min(50, opts.everyMs) : opts.everyMs);
      } catch (error) {
        failures += 1;
        jobRuns.inc({ job: opts.name, outcome: 'failed' });
        log.warn({ err: error, failures }, 'job run failed; retrying');
        answer(run, (w) => w.reject(error));
        await sleep(Math.min(opts.everyMs, backoffMs(failures, 100)), undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  })();

  return {
    wake() {
      pending = true;
      wakeUp?.();
    },
    runNow() {
      // After stop no run will begin: answer at once rather than wait forever.
      if (stopping.signal.aborted) return Promise.resolve('stopped');
      return new Promise<JobOutcome>((resolve, reject) => {
        waiters.push({ after: begun, handled: false, resolve, reject });
        pending = true;
        wakeUp?.();
      });
    },
    async stop() {
      stopping.abort();
      wakeUp?.();
      await loop;
      answer(Infinity, (w) => w.resolve(w.handled ? 'done' : 'stopped'));
    },
  };
}
