import { describe, expect, it } from 'vitest';
import { ConfigError } from '@invoice-signal/runtime';
import { loadConfig } from './config.ts';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081', DATABASE_URL: 'postgres://postgres@127.0.0.1:5433/postgres' };
const problems = (env: Record<string, string | undefined>) => {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a configuration error');
};

describe('high-value configuration, validated at start-up', () => {
  it('defaults to USD 10,000 with the shipped FX table, recorded in the rule set', () => {
    const hv = loadConfig(base).rules.config.flags.HIGH_VALUE;
    expect(hv.threshold).toEqual({ amount: '10000', currency: 'USD' });
    expect(hv.fx.base).toBe('USD');
    for (const code of ['EUR', 'GBP', 'JPY', 'KRW', 'IDR', 'HUF', 'INR', 'BRL']) expect(hv.fx.rates[code], code).toMatch(/^\d/);
  });

  it('takes another threshold, reference currency and single rates, and they change the rule version', () => {
    const config = loadConfig({ ...base, HIGH_VALUE_THRESHOLD: '5000', HIGH_VALUE_REFERENCE_CURRENCY: 'EUR', HIGH_VALUE_FX_RATES: 'CUP=0.04, EUR=1.2' });
    const hv = config.rules.config.flags.HIGH_VALUE;
    expect(hv.threshold).toEqual({ amount: '5000', currency: 'EUR' });
    expect(hv.fx.rates).toMatchObject({ CUP: '0.04', EUR: '1.2', JPY: '0.0066' });
    expect(config.rules.version).not.toBe(loadConfig(base).rules.version);
  });

  it.each([
    { env: { HIGH_VALUE_REFERENCE_CURRENCY: 'CUP' }, problem: 'HIGH_VALUE_REFERENCE_CURRENCY: threshold.currency: CUP has no rate in the FX table (base USD)' },
    { env: { HIGH_VALUE_THRESHOLD: '10k' }, problem: 'HIGH_VALUE_THRESHOLD: a decimal amount in major units' },
    { env: { HIGH_VALUE_THRESHOLD: '0.001' }, problem: 'HIGH_VALUE_THRESHOLD: threshold.amount: 0.001 has more decimals than USD allows (2)' },
    { env: { HIGH_VALUE_FX_RATES: 'EUR=abc' }, problem: 'HIGH_VALUE_FX_RATES: fx.rates.EUR: a positive decimal' },
    { env: { HIGH_VALUE_FX_RATES: 'EUR' }, problem: 'HIGH_VALUE_FX_RATES: expected CODE=rate entries separated by commas, got "EUR"' },
    { env: { HIGH_VALUE_FX_RATES_FILE: '/nonexistent/fx.json' }, problem: 'HIGH_VALUE_FX_RATES_FILE: cannot read /nonexistent/fx.json' },
  ])('refuses $env', ({ env, problem }) => {
    expect(problems(env).join('\n')).toContain(problem);
  });
});
