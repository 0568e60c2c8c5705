import type { Logger } from '@invoice-signal/runtime';

/** A named job; `tickOnly` jobs (the digest's period scans) are not worth running after every change. */
export type Job = [name: string, run: () => Promise<unknown>, when?: 'tick-only'];

export interface Scheduler {
  /** Runs the per-change jobs soon (coalesced), instead of waiting for the next tick. */
  kick(): void;
  /** Runs the jobs now and resolves when done (tests and the benchmark wait on it). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One loop per instance running the delivery jobs every tick; a kick (after each batch that
 * changed something) runs the per-change jobs at once. Digest claims scan every CSM's period:
 * running them per record cost ~60 commits per invoice in the benchmark, so they run on the tick only.
 */
export function createScheduler(jobs: Job[], tickMs: number, logger: Logger): Scheduler {
  let current: Promise<void> | null = null;
  let again = false;
  let full = false;
  let stopped = false;
  const runJobs = async (all: boolean) => {
    for (const [name, job, when] of jobs) {
      if (!all && when === 'tick-only') continue;
      try {
        await job();
      } catch (error) {
        logger.warn({ err: error, job: name }, 'delivery job failed; retried next tick');
      }
    }
  };
  const run = (all: boolean): Promise<void> => {
    full ||= all;
    if (current) {
      again = true;
      return current;
    }
    current = (async () => {
      do {
        again = false;
        const everything = full;
        full = false;
        await runJobs(everything);
      } while (again && !stopped);
    })().finally(() => (current = null));
    return current;
  };
  const timer = setInterval(() => void (stopped ? undefined : run(true)), tickMs);
  timer.unref();
  return {
    kick: () => void (stopped ? undefined : run(false)),
    runNow: () => run(true),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
