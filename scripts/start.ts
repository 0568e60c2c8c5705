/**
 * npm start: the local stack, the five services, demo accounts, the demo's Slack and mail sinks
 * and a stream of vendor webhooks — and where to look.
 *   npm start                  stays in the foreground; Ctrl-C stops services and demo (the stack keeps running)
 *   npm start -- --detach      returns once everything is ready
 *   npm start -- --no-demo     no sinks and no webhook stream: Slack and e-mail stay off unless configured
 * `npm run stack -- down` stops services, demo and stack alike.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createReporter, defaultPorts, devSecrets, devToolLog, launchDevTool, launchService, readSettings, serviceLog, serviceNames, stopServices, tailOf,
  up, waitFor, waitForService, withEnvironmentSecrets,
} from '@invoice-signal/local-stack';
import { signDevToken } from '@invoice-signal/runtime';

const settings = readSettings();
const detach = process.argv.includes('--detach');
const demo = !process.argv.includes('--no-demo');
const began = Date.now();
const root = join(import.meta.dirname, '..');
const sinks = { slackApi: 'http://127.0.0.1:3010/api/', smtp: 'smtp://127.0.0.1:1025', viewer: 'http://127.0.0.1:3011' };

const stack = await up(settings);
// Secrets set in the environment win over the generated development ones.
const secrets = withEnvironmentSecrets(devSecrets(join(settings.stackDir, 'dev-secrets.env')), process.env);
const demoEnv = demo
  ? {
    SLACK_BOT_TOKEN: 'xoxb-demo', SLACK_API_URL: sinks.slackApi, SMTP_URL: sinks.smtp, DIGEST_FROM: 'invoice-signal@localhost', DIGEST_FREQUENCY: 'hourly',
    BATCH_WINDOW_SECONDS: '5', OVERDUE_GRACE_MS: '60000',
  }
  : {};
const env = {
  ...process.env, ...stack.endpoints, ...secrets, ...demoEnv, HOST: process.env.HOST ?? '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${defaultPorts.notifier}`,
};

if (demo) launchDevTool(settings.stackDir, 'dev-sinks', join(root, 'scripts', 'dev-sinks.ts'), env);
for (const name of serviceNames) launchService(settings.stackDir, name, { ...env, PORT: String(defaultPorts[name]) });
const deadlineAt = Date.now() + 120_000;
try {
  await createReporter().step(`services: waiting for /health/ready of ${serviceNames.join(', ')}`, async (step) => {
    let ready = 0;
    await Promise.all(serviceNames.map(async (name) => {
      await waitForService(settings.stackDir, name, defaultPorts[name], deadlineAt);
      step.update(`${++ready} of ${serviceNames.length} ready`);
    }));
  });
} catch (error) {
  console.error(`\n${(error as Error).message}`);
  for (const name of serviceNames) {
    const log = serviceLog(settings.stackDir, name);
    console.error(`\n--- ${name} (${log})\n${tailOf(log, 15)}`);
  }
  process.exit(1);
}

await seedDemoAccounts();
if (demo) {
  const gateway = `http://127.0.0.1:${defaultPorts['ingest-gateway']}`;
  launchDevTool(settings.stackDir, 'demo-feed', join(root, 'scripts', 'demo-feed.ts'), { ...env, DEMO_GATEWAY_URL: gateway });
}

console.log(`\ninvoice-signal is up in ${((Date.now() - began) / 1000).toFixed(1)} s`);
for (const name of serviceNames) {
  const port = defaultPorts[name];
  console.log(`  ${name.padEnd(16)} http://127.0.0.1:${port}   (management: http://127.0.0.1:${port + 6000}/metrics, /health/ready)`);
}
const notifier = `http://127.0.0.1:${defaultPorts.notifier}`;
console.log('\nWhere to look:');
const devToken = (sub: string, role?: string) => signDevToken(secrets.AUTH_JWT_SECRET, sub, { ttl: '12h', ...(role ? { role } : {}) });
for (const csm of ['csm_alice', 'csm_bob', 'csm_carol']) console.log(`  inbox of ${csm.padEnd(10)} ${notifier}/inbox#token=${await devToken(csm)}`);
console.log(`  outcomes (manager)   ${notifier}/outcomes#token=${await devToken('mgr_demo', 'manager')}`);
console.log(`  API (OpenAPI)        ${notifier}/api/docs (document: /api/openapi.json; every service has both)`);
console.log('  a token              npm run token -- <csmId> [csm|manager|admin]');
if (demo) {
  console.log(`  Slack and e-mail     ${sinks.viewer}   (Slack stand-in ${sinks.slackApi}, SMTP sink ${sinks.smtp})`);
  console.log(`  webhook stream       ${devToolLog(settings.stackDir, 'demo-feed')}`);
}
console.log('\nDevelopment secrets (from .stack/dev-secrets.env; set them in the environment to use your own):');
for (const [k, v] of Object.entries(secrets)) console.log(`  ${k}=${process.env[k] ? '(yours, from the environment)' : v}`);
console.log(`\nLogs: ${join(settings.stackDir, 'logs')}    Stop everything: npm run stack -- down`);

if (!detach) {
  console.log('\nRunning in the foreground; Ctrl-C stops the services and the demo and leaves the stack up.');
  const stop = async () => {
    await stopServices(settings.stackDir);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await waitFor('Ctrl-C', Number.MAX_SAFE_INTEGER, async () => false);
}

/** Demo accounts go in through the enricher's import API, like any team's would (idempotent). */
async function seedDemoAccounts(): Promise<void> {
  const accounts = readFileSync(join(root, 'services', 'enricher', 'demo', 'accounts.json'), 'utf8');
  const res = await fetch(`http://127.0.0.1:${defaultPorts.enricher}/api/context/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.CONTEXT_ADMIN_TOKEN}` },
    body: accounts,
  });
  if (!res.ok) throw new Error(`seeding demo accounts failed: ${res.status} ${await res.text()}`);
  console.log(`seeded ${JSON.parse(accounts).length} demo accounts through POST /api/context/accounts`);
}
