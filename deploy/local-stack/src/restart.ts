/**
 * Restarts of one component, for the reliability suite (npm run chaos) on its own private stack:
 * the broker and Postgres go away and come back while the services keep running.
 */
import { kafkaDaemon, startKafka, waitForKafka } from './kafka.ts';
import { startPostgres, stopPostgres, waitForPostgres } from './postgres.ts';
import { stopDaemon } from './processes.ts';
import type { StackSettings } from './settings.ts';

/** Stops the broker (SIGTERM, then SIGKILL after the grace), starts it on the same data and waits until it answers. */
export async function restartKafka(s: StackSettings, graceSeconds = 30): Promise<void> {
  await stopDaemon(kafkaDaemon(s), graceSeconds);
  startKafka(s);
  await waitForKafka(s, Date.now() + s.readyDeadlineSeconds * 1000);
}

/** Stops Postgres (fast shutdown: open connections are cut), starts it on the same data and waits until it answers. */
export async function restartPostgres(s: StackSettings): Promise<void> {
  await stopPostgres(s);
  startPostgres(s);
  await waitForPostgres(s, Date.now() + s.readyDeadlineSeconds * 1000);
}
