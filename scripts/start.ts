/**
 * npm start: the local stack, the five services, and where to look.
 *   npm start              stays in the foreground; Ctrl-C stops the services (the stack keeps running)
 *   npm start -- --detach  returns once everything is ready
 * `npm run stack -- down` stops services and stack alike.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPorts, devSecrets, launchService, readSettings, serviceLog, serviceNames, stopServices, tailOf, up, waitFor, waitForService } from '@invoice-signal/local-stack';

const settings = readSettings();
const detach = process.argv.includes('--detach');
const began = Date.now();

const stack = await up(settings);
const secrets = devSecrets(join(settings.stackDir, 'dev-secrets.env'));
const env = { ...process.env, ...stack.endpoints, ...secrets, HOST: process.env.HOST ?? '127.0.0.1' };

for (const name of serviceNames) launchService(settings.stackDir, name, { ...env, PORT: String(defaultPorts[name]) });
const deadlineAt = Date.now() + 120_000;
try {
  await Promise.all(serviceNames.map((name) => waitForService(settings.stackDir, name, defaultPorts[name], deadlineAt)));
} catch (error) {
  console.error(`\n${(error as Error).message}`);
  for (const name of serviceNames) console.error(`\n--- ${name} (${serviceLog(settings.stackDir, name)})\n${tailOf(serviceLog(settings.stackDir, name), 15)}`);
  process.exit(1);
}

await seedDemoAccounts();

console.log(`\ninvoice-signal is up in ${((Date.now() - began) / 1000).toFixed(1)} s`);
for (const name of serviceNames) console.log(`  ${name.padEnd(16)} http://127.0.0.1:${defaultPorts[name]}   (ready: /health/ready, metrics: /metrics)`);
console.log('\nDevelopment secrets (from .stack/dev-secrets.env; set them in the environment to use your own):');
for (const [k, v] of Object.entries(secrets)) console.log(`  ${k}=${v}`);
console.log(`\nLogs: ${join(settings.stackDir, 'logs')}    Stop everything: npm run stack -- down`);

if (!detach) {
  console.log('\nRunning in the foreground; Ctrl-C stops the services and leaves the stack up.');
  const stop = async () => {
    await stopServices(settings.stackDir);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // Keep the process alive and notice a service dying.
  await waitFor('services', Number.MAX_SAFE_INTEGER, async () => false);
}

/** Demo accounts go in through the enricher's import API, like any team's would (idempotent). */
async function seedDemoAccounts(): Promise<void> {
  const accounts = readFileSync(join(import.meta.dirname, '..', 'services', 'enricher', 'demo', 'accounts.json'), 'utf8');
  const res = await fetch(`http://127.0.0.1:${defaultPorts.enricher}/api/context/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.CONTEXT_ADMIN_TOKEN}` },
    body: accounts,
  });
  if (!res.ok) throw new Error(`seeding demo accounts failed: ${res.status} ${await res.text()}`);
  console.log(`seeded ${JSON.parse(accounts).length} demo accounts through POST /api/context/accounts`);
}
