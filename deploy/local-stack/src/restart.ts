/**
 * Restarts of one component, for the reliability suite (npm run chaos) on its own private stack:
 * the broker and Postgres go away and come back while the services keep running.
 */
import { kafkaDaemon, startKafka, waitForKafka } from './kafka.ts';
import { startPostgres, stopPostgres, waitForPostgres } from './postgres.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidOf, stopDaemon } from './processes.ts';
import { registryDaemon, startRegistry, waitForRegistry } from './registry.ts';
import type { StackSettings } from './settings.ts';

/** Stops the broker (SIGTERM, then SIGKILL after the grace), starts it on the same data and waits until it answers. */
export async function restartKafka(s: StackSettings, graceSeconds = 30): Promise<void> {
  await stopDaemon(kafkaDaemon(s), graceSeconds);
  await startKafka(s);
  await waitForKafka(s, Date.now() + s.readyDeadlineSeconds * 1000);
}

/** Stops Postgres (fast shutdown: open connections are cut), starts it on the same data and waits until it answers. */
export async function restartPostgres(s: StackSettings): Promise<void> {
  await stopPostgres(s);
  await startPostgres(s);
  await waitForPostgres(s, Date.now() + s.readyDeadlineSeconds * 1000);
}

/** Stops the schema registry, starts it again (its schemas live in Kafka) and waits until it answers. */
export async function restartRegistry(s: StackSettings, graceSeconds = 30): Promise<void> {
  await stopDaemon(registryDaemon(s), graceSeconds);
  await startRegistry(s);
  await waitForRegistry(s, Date.now() + s.readyDeadlineSeconds * 1000);
}

/**
 * The broker unreachable for `seconds`: its process is frozen (SIGSTOP), so connections hang
 * instead of being refused, as in a network partition; then it resumes (SIGCONT).
 */
export async function freezeKafka(s: StackSettings, seconds: number): Promise<void> {
  const pid = pidOf(kafkaDaemon(s));
  if (pid === undefined) throw new Error('the broker is not running');
  process.kill(pid, 'SIGSTOP');
  try {
    await sleep(seconds * 1000);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await waitForKafka(s, Date.now() + s.readyDeadlineSeconds * 1000);
}
