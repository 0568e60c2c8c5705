import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devSecrets, withEnvironmentSecrets } from '../src/dev-secrets.ts';

describe('npm start secrets', () => {
  const generated = devSecrets(join(mkdtempSync(join(tmpdir(), 'secrets-')), 'dev-secrets.env'));

  it('uses a secret set in the environment instead of the generated development value', () => {
    const secrets = withEnvironmentSecrets(generated, { AUTH_JWT_SECRET: 'mine-and-at-least-thirty-two-characters-long', STRIPE_WEBHOOK_SECRET: '' });
    expect(secrets.AUTH_JWT_SECRET).toBe('mine-and-at-least-thirty-two-characters-long');
    // Unset or empty: the generated value stays.
    expect(secrets.STRIPE_WEBHOOK_SECRET).toBe(generated.STRIPE_WEBHOOK_SECRET);
    expect(secrets.INGEST_API_TOKEN).toBe(generated.INGEST_API_TOKEN);
    expect(Object.keys(secrets).sort()).toEqual(Object.keys(generated).sort());
  });

  it('keeps the values of an older secrets file and adds the secrets introduced since', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'dev-secrets.env');
    writeFileSync(file, 'INGEST_API_TOKEN=kept-from-before\nAUTH_JWT_SECRET=also-kept\n');
    const secrets = devSecrets(file);
    expect(secrets.INGEST_API_TOKEN).toBe('kept-from-before');
    expect(secrets.AUTH_JWT_SECRET).toBe('also-kept');
    expect(secrets.SALESFORCE_ENDPOINT_TOKEN).toMatch(/^dev-[0-9a-f]{40}$/);
    // Written back, so the next start reads the same values.
    expect(readFileSync(file, 'utf8')).toContain(`SALESFORCE_ENDPOINT_TOKEN=${secrets.SALESFORCE_ENDPOINT_TOKEN}`);
    expect(devSecrets(file)).toEqual(secrets);
  });
});
