import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Development secrets for `npm start`: generated once into <stackDir>/dev-secrets.env and reused,
 * so vendor stand-ins and tokens keep working across restarts. Never used outside development: each
 * carries "dev", which a service started with NODE_ENV=production refuses.
 */
export function devSecrets(file: string): Record<string, string> {
  const kept = existsSync(file)
    ? Object.fromEntries(readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    : {};
  const hex = (n: number) => randomBytes(n).toString('hex');
  const secrets = {
    STRIPE_WEBHOOK_SECRET: `whsec_dev${hex(16)}`,
    CHARGEBEE_WEBHOOK_USERNAME: 'chargebee-dev',
    CHARGEBEE_WEBHOOK_PASSWORD: `dev-${hex(12)}`,
    SALESFORCE_ORG_ID: '00D000000000DEVAAA',
    SALESFORCE_ENDPOINT_TOKEN: `dev-${hex(20)}`,
    INGEST_API_TOKEN: `dev-${hex(20)}`,
    CONTEXT_ADMIN_TOKEN: `dev-${hex(20)}`,
    AUTH_JWT_SECRET: `dev-${hex(32)}`,
    SLACK_SIGNING_SECRET: `dev-${hex(16)}`,
  };
  // A file from an older version keeps its values and gains the secrets added since.
  if (Object.keys(secrets).every((name) => name in kept)) return kept;
  const merged = { ...secrets, ...kept };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${Object.entries(merged).map(([k, v]) => `${k}=${v}`).join('\n')}\n`, { mode: 0o600 });
  return merged;
}

/** The secrets `npm start` runs with: each one set in the environment wins over the generated development value. */
export function withEnvironmentSecrets(generated: Record<string, string>, env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(generated).map(([name, value]) => [name, env[name] || value]));
}
