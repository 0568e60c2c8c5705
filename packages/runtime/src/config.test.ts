import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonEnv, ConfigError, parseEnv, port, serviceDatabaseUrl } from './config.ts';

describe('parseEnv', () => {
  it('applies defaults and treats empty variables as unset', () => {
    const config = parseEnv({ ...commonEnv, PORT: port(3005) }, { PORT: '', KAFKA_BROKERS: 'a:1, b:2' });
    expect(config.PORT).toBe(3005);
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.SCHEMA_REGISTRY_URL).toBe('http://localhost:8081/apis/ccompat/v7');
  });

  it('lists every problem, naming each variable and the value it got', () => {
    let error: unknown;
    try {
      parseEnv({ PORT: port(3000), SCHEMA_REGISTRY_URL: z.string().url(), STRIPE_WEBHOOK_SECRET: z.string().min(1) }, { PORT: 'eighty', SCHEMA_REGISTRY_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('PORT:'))).toContain('(got "eighty")');
    expect(problems.find((p) => p.startsWith('SCHEMA_REGISTRY_URL:'))).toContain('(got "not a url")');
    expect(problems.find((p) => p.startsWith('STRIPE_WEBHOOK_SECRET:'))).toContain('(not set)');
  });

  it('never echoes the value of a secret', () => {
    expect(() => parseEnv({ AUTH_JWT_SECRET: z.string().min(32) }, { AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET: .*\(got "\*\*\*"\)/);
  });
});

describe('serviceDatabaseUrl', () => {
  it('gives each service its own database on the shared server', () => {
    expect(serviceDatabaseUrl('payment-tracker', {}, 'postgres://u:p@db:5432/postgres?sslmode=require')).toBe('postgres://u:p@db:5432/invoice_signal_payment_tracker?sslmode=require');
  });
  it('prefers the service-specific variable', () => {
    expect(serviceDatabaseUrl('notifier', { NOTIFIER_DATABASE_URL: 'postgres://x/y' }, 'postgres://a/b')).toBe('postgres://x/y');
  });
});
