/**
 * npm run chaos: the reliability suite, on a private stack (its own Kafka, registry and Postgres
 * on other ports), so restarting the broker and Postgres never touches the shared stack.
 *
 *   npm run chaos [-- --invoices 1000 --seconds 190 --fuzz-runs 300 --keep-stack]
 *
 * Streams signed Stripe and Chargebee webhooks (duplicates, payment events before issue events)
 * through the five services as processes while killing each with SIGKILL, restarting the broker
 * and restarting Postgres; then reconciles what was sent with what came out, fuzzes every HTTP
 * route, prints the counts and exits non-zero when anything was lost, duplicated or wrong.
 */
import { parseArgs } from 'node:util';
import { serviceNames } from '@invoice-signal/local-stack';
import { SystemUnderTest, eventually, uniqueName } from '@invoice-signal/testkit';
import { injectFaults, watchdog } from './faults.ts';
import { fuzzEnv, runFuzz } from './fuzz/run-fuzz.ts';
import { startPrivateStack, type PrivateStack } from './private-stack.ts';
import { notifierView, openReaders, reconcileTopics, type Readers } from './reconcile.ts';
import { printReport, type ChaosOutcome } from './report.ts';
import { seedAccounts } from './seed.ts';
import { stream } from './sender.ts';
import { planWorkload } from './workload.ts';

const { values: args } = parseArgs({ options: { invoices: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '190' }, 'fuzz-runs': { type: 'string', default: '300' }, 'keep-stack': { type: 'boolean', default: false } } });
const began = Date.now();
const say = (line: string) => console.log(line ? `[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}` : '');

async function chaos(stack: PrivateStack, system: SystemUnderTest, readers: () => Promise<Readers>): Promise<Omit<ChaosOutcome, 'fuzz'>> {
  for (const name of serviceNames) await system.startService(name);
  say(`five services up on namespace ${system.namespace}; seeded ${await seedAccounts(system)} accounts`);
  const r = await readers();
  const workload = planWorkload(Number(args.invoices));
  const secrets = { stripeSecret: system.secrets.STRIPE_WEBHOOK_SECRET, chargebeeUser: system.secrets.CHARGEBEE_WEBHOOK_USERNAME, chargebeePassword: system.secrets.CHARGEBEE_WEBHOOK_PASSWORD };
  const rate = workload.deliveries.length / Number(args.seconds);
  say(`streaming ${workload.deliveries.length} deliveries for ${workload.invoices.length} invoices at ${rate.toFixed(1)}/s`);
  let done = 0;
  const dog = watchdog(system, say);
  const streamBegan = Date.now();
  const sending = stream(workload.deliveries, { ratePerSecond: rate, concurrency: 24, gatewayUrl: () => system.urls.get('ingest-gateway'), secrets, deadlineAt: Date.now() + 600_000, onProgress: (n) => (done = n) })
    .then((stats) => ({ stats, seconds: (Date.now() - streamBegan) / 1000 }));
  const faults = await injectFaults({ system, stack, progress: () => done, say }, 3000);
  const { stats, seconds } = await sending;
  say(`stream done in ${seconds.toFixed(0)} s; waiting for the system to settle`);
  const settleBegan = Date.now();
  const settled = await eventually('every invoice notified once with its final status', () => {
    const t = reconcileTopics(workload.invoices, r);
    return t.lost.length || t.statusMismatches.length || t.notificationStatusMismatches.length ? false : t;
  }, { timeoutMs: 150_000, intervalMs: 1000 }).catch(() => undefined);
  if (!settled) say('did not settle within 150 s; reporting what is there');
  dog.stop();
  const topics = reconcileTopics(workload.invoices, r);
  return { workload, stats, streamSeconds: seconds, faults, exits: dog.unexpectedExits, topics, view: await notifierView(system), settleSeconds: (Date.now() - settleBegan) / 1000 };
}

async function main(): Promise<number> {
  const stack = await startPrivateStack(say);
  // Interrupted: still take the private stack (and the service processes, its children) down.
  process.once('SIGINT', () => void stack.down().finally(() => process.exit(130)));
  const system = new SystemUnderTest({ namespace: uniqueName('chaos'), env: { ...fuzzEnv, LOG_LEVEL: 'warn' } });
  let readers: Readers | undefined;
  let fuzzSystem: SystemUnderTest | undefined;
  try {
    const outcome: ChaosOutcome = await chaos(stack, system, async () => (readers = await openReaders(system.namespace)));
    await system.stop();
    say(`fuzzing every HTTP route, ${args['fuzz-runs']} cases each`);
    const fuzz = await runFuzz({ runsPerRoute: Number(args['fuzz-runs']), say });
    fuzzSystem = fuzz.system;
    const { system: _ignored, ...fuzzReport } = fuzz;
    outcome.fuzz = fuzzReport;
    return printReport(outcome, say).length ? 1 : 0;
  } finally {
    await readers?.close().catch(() => undefined);
    await system.stop().catch(() => undefined);
    await fuzzSystem?.stop().catch(() => undefined);
    if (args['keep-stack']) say(`private stack kept running in ${stack.settings.stackDir}`);
    else await stack.down().catch((e: Error) => say(`stack down failed: ${e.message}`));
  }
}

main().then((code) => {
  say(`chaos run took ${((Date.now() - began) / 1000).toFixed(0)} s`);
  process.exit(code);
}, (error: unknown) => {
  console.error(error);
  process.exit(2);
});
