/**
 * The local stack without Docker: Kafka (KRaft, one node), Apicurio Registry and PostgreSQL.
 *   npm run stack -- up | down | status | logs [component] | env
 */
import { existsSync, readFileSync } from 'node:fs';
import { kafkaDaemon, startKafka, waitForKafka } from './kafka.ts';
import { postgresLogFile, postgresPid, startPostgres, stopPostgres, waitForPostgres } from './postgres.ts';
import { pidOf, stopDaemon } from './processes.ts';
import { createReporter, silentReporter } from './progress.ts';
import { registryDaemon, startRegistry, waitForRegistry } from './registry.ts';
import { serviceLog, serviceNames, servicePids, stopServices } from './services.ts';
import { endpointsOf, readSettings, type StackSettings } from './settings.ts';

export interface UpResult {
  /** Components this call started (empty when everything was already running). */
  started: string[];
  seconds: number;
  endpoints: ReturnType<typeof endpointsOf>;
}

/**
 * Starts what is not running and waits until all of it answers, showing each long step (downloads,
 * initdb, formatting, waits) as it goes: on stdout, or as plain lines through `say` when given.
 */
export async function up(s: StackSettings = readSettings(), say?: (line: string) => void): Promise<UpResult> {
  const report = createReporter({ say });
  const began = Date.now();
  const started: string[] = [];
  const wasRunning = (pid: number | undefined) => pid !== undefined;

  if (!wasRunning(postgresPid(s))) started.push('postgres');
  await startPostgres(s, report);
  if (!wasRunning(pidOf(kafkaDaemon(s)))) started.push('kafka');
  await startKafka(s, report);
  // Waits are shown for what this call started; what was running answers at once.
  const shown = (name: string) => (started.includes(name) ? report : silentReporter);
  // The deadline counts from the wait, so a first run's downloads do not eat into it.
  const deadlineAt = Date.now() + s.readyDeadlineSeconds * 1000;
  await Promise.all([waitForPostgres(s, deadlineAt, shown('postgres')), waitForKafka(s, deadlineAt, shown('kafka'))]);
  // The registry stores its schemas in Kafka, so it starts once the broker answers.
  if (!wasRunning(pidOf(registryDaemon(s)))) started.push('registry');
  await startRegistry(s, report);
  await waitForRegistry(s, Date.now() + s.readyDeadlineSeconds * 1000, shown('registry'));

  const result = { started, seconds: (Date.now() - began) / 1000, endpoints: endpointsOf(s) };
  report.say(`stack ready in ${result.seconds.toFixed(1)} s (started: ${started.join(', ') || 'nothing, all were running'})`);
  for (const [k, v] of Object.entries(result.endpoints)) report.say(`  ${k}=${v}`);
  report.say(`  logs: ${s.stackDir}/logs and ${postgresLogFile(s)}`);
  return result;
}

export async function down(s: StackSettings = readSettings(), say: (line: string) => void = console.log): Promise<void> {
  await stopServices(s.stackDir, say);
  // The registry goes first: with its kafkasql storage it hangs on exit when the broker is already gone.
  if (await stopDaemon(registryDaemon(s))) say('stopped registry');
  if (await stopDaemon(kafkaDaemon(s))) say('stopped kafka');
  if (await stopPostgres(s)) say('stopped postgres');
}

export function status(s: StackSettings = readSettings()): Record<string, number | undefined> {
  return { postgres: postgresPid(s), kafka: pidOf(kafkaDaemon(s)), registry: pidOf(registryDaemon(s)), ...servicePids(s.stackDir) };
}

function logs(s: StackSettings, which?: string) {
  const files: Record<string, string> = {
    ...Object.fromEntries(serviceNames.map((n) => [n, serviceLog(s.stackDir, n)])),
    kafka: kafkaDaemon(s).logFile,
    registry: registryDaemon(s).logFile,
    postgres: postgresLogFile(s),
  };
  for (const [name, file] of Object.entries(files)) {
    if (which && which !== name) continue;
    console.log(`==> ${name}: ${file}`);
    if (existsSync(file)) console.log(readFileSync(file, 'utf8').split('\n').slice(-40).join('\n'));
  }
}

async function main(argv: string[]) {
  const s = readSettings();
  switch (argv[0]) {
    case 'up':
      await up(s);
      break;
    case 'down':
      await down(s);
      break;
    case 'status':
      for (const [name, pid] of Object.entries(status(s))) console.log(`${name.padEnd(16)} ${pid ? `running (pid ${pid})` : 'stopped'}`);
      for (const [k, v] of Object.entries(endpointsOf(s))) console.log(`${k}=${v}`);
      break;
    case 'logs':
      logs(s, argv[1]);
      break;
    case 'env':
      for (const [k, v] of Object.entries(endpointsOf(s))) console.log(`export ${k}=${v}`);
      break;
    default:
      console.error('usage: npm run stack -- up | down | status | logs [kafka|registry|postgres|<service>] | env');
      process.exitCode = 2;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
