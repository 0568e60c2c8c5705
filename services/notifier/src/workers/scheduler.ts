import type { Logger } from '@invoice-signal/runtime';

export interface Scheduler {
  /** Runs the jobs soon (coalesced), instead of waiting for the next tick. */
  kick(): void;
  /** Runs the jobs now and resolves when done (tests and the benchmark wait on it). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/** One loop per instance running the delivery jobs every tick; a kick runs them at once. */
export function createScheduler(jobs: Array<[string, () => Promise<unknown>]>, tickMs: number, logger: Logger): Scheduler {
  let current: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const runJobs = async () => {
    for (const [name, job] of jobs) {
      try {
        await job();
      } catch (error) {
        logger.warn({ err: error, job: name }, 'delivery job failed; retried next tick');
      }
    }
  };
  const run = (): Promise<void> => {
    if (current) {
      again = true;
      return current;
    }
    current = (async () => {
      do {
        again = false;
        await runJobs();
      } while (again && !stopped);
    })().finally(() => (current = null));
    return current;
  };
  const timer = setInterval(() => void (stopped ? undefined : run()), tickMs);
  timer.unref();
  return {
    kick: () => void (stopped ? undefined : run()),
    runNow: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
