import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devSecrets } from '@invoice-signal/local-stack';
import { ConfigError } from '@invoice-signal/runtime';
import { loadConfig as enricher } from '../../services/enricher/src/config.ts';
import { loadConfig as gateway } from '../../services/ingest-gateway/src/config.ts';
import { loadConfig as notifier } from '../../services/notifier/src/config.ts';
import { loadConfig as tracker } from '../../services/payment-tracker/src/config.ts';

/** Pure: each service's own configuration parser, as its main.ts calls it, on chosen environments. */
const services = { enricher, gateway, notifier, tracker };
const dev = devSecrets(join(mkdtempSync(join(tmpdir(), 'prod-')), 'dev-secrets.env'));
const strong = Object.fromEntries(Object.entries(dev).map(([name, value]) => [name, /SECRET|PASSWORD|TOKEN/.test(name) ? randomBytes(24).toString('hex') : value]));

function problems(load: (env: Record<string, string>) => unknown, env: Record<string, string>): string[] {
  try {
    load(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('NODE_ENV=production', () => {
  it.each(Object.entries(services))('%s refuses the development secrets npm start generates, naming each variable', (_name, load) => {
    const refused = problems(load, { ...dev, NODE_ENV: 'production' });
    expect(refused.length).toBeGreaterThan(0);
    for (const p of refused) expect(p).toMatch(/^[A-Z_]+: looks like a development or default value/);
    // Outside production the same secrets start the service.
    expect(problems(load, dev)).toEqual([]);
  });

  it.each(Object.entries(services))('%s refuses a short secret and starts with generated ones', (_name, load) => {
    expect(problems(load, { ...strong, NODE_ENV: 'production' })).toEqual([]);
    const short = Object.fromEntries(Object.entries(strong).map(([n, v]) => [n, /SECRET|PASSWORD|TOKEN/.test(n) ? 'Zq8x1-Ab_3v9kLm0pQ' : v]));
    const refused = problems(load, { ...short, NODE_ENV: 'production' });
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((p) => /too short for production|at least/.test(p))).toBe(true);
  });

  it('never prints the refused value', () => {
    const refused = problems(gateway, { ...dev, NODE_ENV: 'production' }).join('\n');
    for (const value of Object.values(dev).filter((v) => v.length > 8)) expect(refused).not.toContain(value);
  });
});
