/**
 * The faults injected while the stream runs, one after the other: kill -9 of each service (then
 * a restart, as an orchestrator would), a broker restart and a Postgres restart. A watchdog
 * restarts any service that dies on its own, and records it: that is a finding.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceNames, type ServiceName } from '@invoice-signal/local-stack';
import type { SystemUnderTest } from '@invoice-signal/testkit';
import type { PrivateStack } from './private-stack.ts';

export interface FaultRecord {
  fault: string;
  atDelivery: number;
  seconds: number;
}

export interface FaultPlan {
  system: SystemUnderTest;
  stack: PrivateStack;
  progress: () => number;
  say: (line: string) => void;
}

export function faultList(plan: FaultPlan): Array<{ name: string; run: () => Promise<void> }> {
  const { system, stack } = plan;
  const kill = (name: ServiceName) => ({
    name: `kill -9 ${name}`,
    run: async () => {
      await system.stopService(name, 'SIGKILL');
      await system.startService(name);
    },
  });
  const [first, ...rest] = serviceNames.map(kill);
  // A second instance of every service joins mid-stream, works a while beside the first, then leaves:
  // two rebalances per group with batches in flight.
  const scaleOutAndIn = {
    name: 'second instance of every service joins, then leaves',
    run: async () => {
      for (const name of serviceNames) await system.startExtra(name);
      await sleep(8000);
      await system.stopExtras();
    },
  };
  // The broker and Postgres restarts come early so they surely fall while deliveries still stream.
  return [
    first,
    { name: 'restart broker', run: () => stack.restartKafka() },
    ...rest.slice(0, 2),
    { name: 'restart postgres', run: () => stack.restartPostgres() },
    { name: 'restart schema registry', run: () => stack.restartRegistry() },
    scaleOutAndIn,
    { name: 'broker unreachable for 30 s', run: () => stack.freezeKafka(30) },
    ...rest.slice(2),
  ];
}

/** Runs every fault in turn, `gapMs` apart, and returns what happened when. */
export async function injectFaults(plan: FaultPlan, gapMs: number): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  for (const fault of faultList(plan)) {
    await sleep(gapMs);
    const began = Date.now();
    const atDelivery = plan.progress();
    plan.say(`fault: ${fault.name} at delivery ${atDelivery}`);
    await fault.run();
    const seconds = (Date.now() - began) / 1000;
    plan.say(`  recovered in ${seconds.toFixed(1)} s`);
    records.push({ fault: fault.name, atDelivery, seconds });
  }
  return records;
}

export interface Watchdog {
  unexpectedExits: Array<{ service: ServiceName; code: number | null; signal: string | null; tail: string }>;
  stop(): void;
}

/** Restarts a service process that exited without being killed by the fault injector. */
export function watchdog(system: SystemUnderTest, say: (line: string) => void): Watchdog {
  const dog: Watchdog = { unexpectedExits: [], stop: () => (stopped = true) };
  let stopped = false;
  const restarting = new Set<ServiceName>();
  void (async () => {
    while (!stopped) {
      for (const name of serviceNames) {
        const proc = system.processes.get(name);
        // The fault injector removes the URL before it kills; a URL with a dead process is a crash.
        if (!proc || restarting.has(name) || !system.urls.has(name) || proc.child.exitCode === null && proc.child.signalCode === null) continue;
        const tail = system.output(name).slice(-1500);
        dog.unexpectedExits.push({ service: name, code: proc.child.exitCode, signal: proc.child.signalCode, tail });
        say(`watchdog: ${name} exited by itself (${proc.child.exitCode ?? proc.child.signalCode}); restarting`);
        restarting.add(name);
        system.urls.delete(name);
        void restartUntilUp(system, name, () => stopped, say).finally(() => restarting.delete(name));
      }
      await sleep(250);
    }
  })();
  return dog;
}

async function restartUntilUp(system: SystemUnderTest, name: ServiceName, stopped: () => boolean, say: (line: string) => void) {
  while (!stopped()) {
    try {
      await system.startService(name);
      return;
    } catch (error) {
      say(`watchdog: restart of ${name} failed (${(error as Error).message.split('\n')[0]}); trying again`);
      await sleep(2000);
    }
  }
}
