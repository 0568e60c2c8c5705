import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const required = {
  STRIPE_WEBHOOK_SECRET: 'whsec_new_0123456789, whsec_old_0123456789',
  CHARGEBEE_WEBHOOK_USERNAME: 'cb', CHARGEBEE_WEBHOOK_PASSWORD: 'cb-password-1',
  SALESFORCE_ORG_ID: '00D000000000DEVAAA', SALESFORCE_ENDPOINT_TOKEN: 'sf-endpoint-token-0123456789', INGEST_API_TOKEN: 'token-0123456789',
};

describe('configuration', () => {
  it('fails fast naming every missing secret, without defaults', () => {
    expect(() => loadConfig({})).toThrow(/STRIPE_WEBHOOK_SECRET[^\n]*\(not set\)[\s\S]*CHARGEBEE_WEBHOOK_USERNAME[\s\S]*CHARGEBEE_WEBHOOK_PASSWORD[\s\S]*SALESFORCE_ORG_ID[\s\S]*SALESFORCE_ENDPOINT_TOKEN[\s\S]*INGEST_API_TOKEN/);
  });

  it('reads several Stripe secrets for rotation; recovery and backfill are on by default, for the vendors whose API key is set', () => {
    const config = loadConfig(required);
    expect(config.STRIPE_WEBHOOK_SECRET).toEqual(['whsec_new_0123456789', 'whsec_old_0123456789']);
    expect([config.RECOVERY_INTERVAL_MS, config.RECOVERY_SETTLE_MS, config.BACKFILL_MONTHS]).toEqual([300_000, 600_000, 12]);
    expect([config.STRIPE_API_KEY, config.CHARGEBEE_API_KEY]).toEqual([undefined, undefined]);
    expect(loadConfig({ ...required, RECOVERY_INTERVAL_MS: '0', BACKFILL_MONTHS: '0' })).toMatchObject({ RECOVERY_INTERVAL_MS: 0, BACKFILL_MONTHS: 0 });
    expect(() => loadConfig({ ...required, CHARGEBEE_API_KEY: 'test_cb_key' })).toThrow(/CHARGEBEE_SITE: required with CHARGEBEE_API_KEY/);
    expect(() => loadConfig({ ...required, BACKFILL_MONTHS: '-1' })).toThrow(/BACKFILL_MONTHS/);
    expect(config.PORT).toBe(3001);
    expect(config.databaseUrl).toMatch(/\/invoice_signal_ingest_gateway$/);
  });

  it('does not limit verified vendor deliveries by default, but limits failed authentication per client address', () => {
    const config = loadConfig(required);
    expect([config.RATE_LIMIT_STRIPE, config.RATE_LIMIT_CHARGEBEE, config.RATE_LIMIT_SALESFORCE, config.RATE_LIMIT_INTERNAL]).toEqual([0, 0, 0, 0]);
    expect(config.RATE_LIMIT_UPLOAD).toBe(5);
    expect(config.RATE_LIMIT_FAILED_AUTH_PER_IP).toBe(20);
    expect(config.TRUSTED_PROXIES).toEqual([]);
    expect(loadConfig({ ...required, TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.5,fd00::/8' }).TRUSTED_PROXIES).toEqual(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);
    expect(() => loadConfig({ ...required, TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/TRUSTED_PROXIES: expected IP addresses or CIDR networks/);
    expect(() => loadConfig({ ...required, TRUSTED_PROXIES: 'lb.internal' })).toThrow(/TRUSTED_PROXIES/);
  });

  it('names a malformed organisation id and never echoes a secret', () => {
    expect(() => loadConfig({ ...required, SALESFORCE_ORG_ID: 'acme' })).toThrow(/SALESFORCE_ORG_ID: a Salesforce organisation id/);
    expect(() => loadConfig({ ...required, INGEST_API_TOKEN: 'short' })).toThrow(/INGEST_API_TOKEN: .*\(got "\*\*\*"\)/);
  });

  it('reads date-only dates in UTC by default, per source when overridden, and refuses a zone that is not IANA', () => {
    expect(loadConfig(required).billingTimeZones).toEqual({ salesforce: 'UTC', upload: 'UTC', internal: 'UTC' });
    const zones = loadConfig({ ...required, BILLING_TIME_ZONE: 'Europe/Paris', SALESFORCE_BILLING_TIME_ZONE: 'America/Los_Angeles' }).billingTimeZones;
    expect(zones).toEqual({ salesforce: 'America/Los_Angeles', upload: 'Europe/Paris', internal: 'Europe/Paris' });
    expect(() => loadConfig({ ...required, BILLING_TIME_ZONE: 'Europe/Pariss' })).toThrow(/BILLING_TIME_ZONE: expected an IANA time zone/);
    expect(() => loadConfig({ ...required, UPLOAD_BILLING_TIME_ZONE: '+02:00' })).toThrow(/UPLOAD_BILLING_TIME_ZONE: expected an IANA time zone/);
  });
});
