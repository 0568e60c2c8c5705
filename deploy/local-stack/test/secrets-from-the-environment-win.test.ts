import { mkdtempSync } from 'node:fs';
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
});
