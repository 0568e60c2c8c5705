/**
 * npm run bench: the system benchmark (issue 8). The five services as processes on the real stack,
 * signed Stripe webhooks at rising rates (open loop), end-to-end and per-stage figures, references
 * measured in the same run, a printed table and BENCHMARKS.md.
 *
 *   npm run bench                       full run (≤ 5 min): rates 20,30,40,50,100,250,500,1000 for 15 s each, stopping
 *                                       at the first step that does not drain or whose p99 passes 5 s
 *   npm run bench -- --quick            smoke run (~1.5 min): rates 20,40 for 5 s each; BENCHMARKS.md untouched
 *   npm run bench -- --rates 100,200 --seconds 20 --accounts 200 [--write] [--profile] [--env KEY=VALUE ...]
 *
 * Stack endpoints come from KAFKA_BROKERS / SCHEMA_REGISTRY_URL / DATABASE_URL when all three are
 * set, else the local stack under deploy/ is reused (started if it is not running).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { endpointsOf, readSettings, up } from '@invoice-signal/local-stack';
import { root, undiciPool } from './deps.ts';
import { closedLoop } from './load.ts';
import { markdown } from './markdown.ts';
import { profilesIn } from './profile.ts';
import { bareFastify, rawKafka } from './references.ts';
import { bestStep, printed, type RunFigures } from './report.ts';
import { idleWindow, runStep, type StepResult } from './system-load.ts';
import { startSystem, stopSystem } from './system.ts';
import { PipelineTracker } from './tracker.ts';
import { stripeDelivery } from './webhooks.ts';

const { values: args } = parseArgs({ options: {
  quick: { type: 'boolean', default: false }, write: { type: 'boolean', default: false }, rates: { type: 'string' }, seconds: { type: 'string' },
  accounts: { type: 'string', default: '200' }, profile: { type: 'boolean', default: false },
  env: { type: 'string', multiple: true, default: [] }, concurrency: { type: 'string', default: '64' },
} });
const quick = args.quick!;
const rates = (args.rates ?? (quick ? '20,40' : '20,30,40,50,100,250,500,1000')).split(',').map(Number);
const seconds = Number(args.seconds ?? (quick ? 5 : 15));
const accounts = Number(args.accounts);
const concurrency = Number(args.concurrency);
const partitions = 6;
/** A step whose p99 passes this (ms), or that does not drain, ends the escalation. */
const explodedP99 = 5000;

const began = Date.now();
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
const machine = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), cores: availableParallelism(), node: process.version, loadBefore: load(), loadAfter: '',
  memory: `${/Mem:\s+(\d+)/.exec(execFileSync('free', ['-g'], { encoding: 'utf8' }))?.[1] ?? '?'} GiB`,
};

const settings = readSettings();
if (!(process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL && process.env.DATABASE_URL)) {
  await up(settings, (line) => console.error(line));
  Object.assign(process.env, endpointsOf(settings));
}
const brokers = process.env.KAFKA_BROKERS!.split(',');
const registryPort = Number(new URL(process.env.SCHEMA_REGISTRY_URL!).port || 80);
const stamp = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const namespace = `bench_${stamp}`;
const say = (line: string) => console.error(`[bench ${((Date.now() - began) / 1000).toFixed(0).padStart(3)} s] ${line}`);

say(`references: bare Fastify at ${rates.join(', ')}/s, then raw kafkajs`);
const secret = 'whsec_reference_only';
const http = await bareFastify(rates, Math.min(seconds, 5), secret, concurrency);
const payload = Buffer.from(stripeDelivery('size', 0, 1, secret).body);
const kafka = await rawKafka(brokers, `${namespace}.reference`, Math.max(...rates), Math.min(seconds, 5), quick ? 20_000 : 50_000, payload);

say(`starting the five services (namespace ${namespace}, ${partitions} partitions)`);
const profileDir = args.profile ? mkdtempSync(join(tmpdir(), 'invoice-signal-profile-')) : '';
// --profile: V8's sampling profiler in every service (adds a little CPU of its own).
// --env KEY=VALUE (repeatable): extra environment for the services, for experiments (e.g. --env SMTP_URL= turns the digest off).
const extraEnv = Object.fromEntries(args.env!.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const bench = await startSystem(namespace, accounts, partitions, { ...extraEnv, ...(args.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}) });
// Ctrl-C: the services get the signal too (same process group); still remove what the run created.
process.once('SIGINT', () => {
  say('interrupted: cleaning up');
  void stopSystem(bench).finally(() => process.exit(130));
});
const steps: StepResult[] = [];
let idle: RunFigures['idle'] = { services: {}, infraCores: {} };
let gatewayMax: RunFigures['gatewayMax'];
const tracker = new PipelineTracker(namespace, process.env.SCHEMA_REGISTRY_URL!);
try {
  await tracker.start(brokers);
  const common = { concurrency, stackDir: settings.stackDir, registryPort };
  say('warm-up: 20/s for 3 s');
  await runStep(bench, tracker, { ...common, rate: 20, seconds: 3, label: `${stamp}w`, drainSeconds: 60 });
  say('idle: 3 s with no load offered');
  idle = await idleWindow(bench, 3, settings.stackDir, registryPort);
  for (const rate of rates) {
    say(`step: ${rate}/s for ${seconds} s`);
    const step = await runStep(bench, tracker, { ...common, rate, seconds, label: `${stamp}r${rate}`, drainSeconds: Math.max(20, seconds * 2) });
    steps.push(step);
    say(`  notified ${step.notifiedPerSecond.toFixed(0)}/s, p50/p99 ${step.endToEnd.p50.toFixed(0)}/${step.endToEnd.p99.toFixed(0)} ms, drained ${step.drained}, ours ${step.infraCores.ours!.toFixed(2)} of ${step.infraCores.machine!.toFixed(2)} busy cores`);
    if (!step.drained || step.endToEnd.p99 > explodedP99) {
      say(`  stopping here: ${step.drained ? `p99 ${step.endToEnd.p99.toFixed(0)} ms > ${explodedP99} ms` : 'the backlog did not drain'}`);
      break;
    }
  }
  // Last, as it leaves a backlog behind: the most the gateway accepts with the pipeline running.
  say('gateway maximum: closed loop, 5 s');
  const pool = undiciPool(bench.system.url('ingest-gateway'), concurrency);
  const max = await closedLoop(pool, concurrency, 5, (i) => stripeDelivery(`${stamp}max`, i, accounts, bench.system.secrets.STRIPE_WEBHOOK_SECRET!));
  gatewayMax = { ...max, concurrency };
  await pool.close();
} finally {
  await tracker.stop().catch(() => undefined);
  say('stopping the services; deleting the namespace\'s topics, groups, subjects and databases');
  await stopSystem(bench).catch((error: Error) => say(`cleanup: ${error.message}`));
}

machine.loadAfter = load();
const figures: RunFigures = {
  machine, command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`, seconds, accounts, partitions, steps, http, kafka,
  slackPosts: bench.slack.posts().length, idle, gatewayMax, durationSeconds: (Date.now() - began) / 1000,
};
console.log(printed(figures));
if (args.profile) {
  console.log(`\nCPU profiles (${profileDir}), share of busy samples by package:`);
  for (const [service, shares] of profilesIn(profileDir)) console.log(`  ${service.padEnd(16)} ${shares.slice(0, 10).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ')}`);
}
if (!quick || args.write) {
  writeFileSync(join(root, 'BENCHMARKS.md'), markdown(figures));
  say(`wrote BENCHMARKS.md (best step ${bestStep(steps)?.rate ?? '–'}/s) in ${figures.durationSeconds.toFixed(0)} s`);
}
