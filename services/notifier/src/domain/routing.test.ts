import { describe, expect, it } from 'vitest';
import { defaultPreferences, mergePreferences, type Preferences } from './preferences.ts';
import { route, type RoutingInput } from './routing.ts';

const defaults = defaultPreferences({
  slackMinRisk: 'high', digestMinAmountMinor: 0, slackMaxPerHour: 3,
  digestFrequency: 'daily', digestHour: 8, quietHours: undefined, batchWindowSeconds: 0,
});
const noon = Date.parse('2026-11-24T12:00:00Z');
const input = (over: Partial<RoutingInput> = {}, prefs: Partial<Preferences> = {}): RoutingInput => ({
  kind: 'invoice_issued', amountMinor: 50_000, currency: 'EUR', riskLevel: 'high', highValue: false, prefs: mergePreferences(defaults, prefs), zone: 'UTC', now: noon,
  slackAvailable: true, emailAvailable: true, slackInLastHour: 0, ...over,
});

describe('routing a notification to channels (NFR-2)', () => {
  it('sends high risk to Slack and in-app, and low-value low risk to the digest instead', () => {
    expect(route(input()).channels).toEqual(['in_app', 'slack']);
    expect(route(input({ riskLevel: 'low' })).channels).toEqual(['in_app', 'email_digest']);
  });

  it('sends high value (the HIGH_VALUE flag) to Slack whatever the risk, and never decides high value from the amount itself', () => {
    expect(route(input({ riskLevel: 'none', highValue: true, amountMinor: 10 })).channels).toEqual(['in_app', 'slack']);
    // ¥1,000,000, ₩1,000,000, IDR 10,000.00: a million minor units is no longer high value in any currency.
    for (const currency of ['JPY', 'KRW', 'IDR', 'EUR']) {
      const r = route(input({ riskLevel: 'none', amountMinor: 1_000_000, currency }));
      expect(r.channels, currency).toEqual(['in_app', 'email_digest']);
      expect(r.reasons).toContain('slack: not high value and risk none below high');
    }
  });

  it('a CSM’s Slack minimum is a floor, like the other channels’', () => {
    const prefs = { minAmountMinor: { ...defaults.minAmountMinor, slack: { default: 0, JPY: 5_000_000 } } };
    const small = route(input({ highValue: true, amountMinor: 4_999_999, currency: 'JPY' }, prefs));
    expect(small.channels).toEqual(['in_app', 'email_digest']);
    expect(small.reasons).toContain('slack: amount 4999999 JPY below minimum 5000000');
    expect(route(input({ amountMinor: 5_000_000, currency: 'JPY' }, prefs)).channels).toEqual(['in_app', 'slack']);
  });

  it('treats payment alerts as high risk', () => {
    expect(route(input({ kind: 'payment_failed', riskLevel: 'none' })).channels).toEqual(['in_app', 'slack']);
    expect(route(input({ kind: 'overdue', riskLevel: 'low' }, { riskOnly: true })).channels).toEqual(['in_app', 'slack']);
  });

  it('honours channels switched off and a missing Slack or SMTP configuration', () => {
    expect(route(input({}, { channels: { in_app: true, slack: false, email_digest: true } })).channels).toEqual(['in_app', 'email_digest']);
    expect(route(input({}, { channels: { in_app: false, slack: false, email_digest: false } })).channels).toEqual([]);
    const r = route(input({ slackAvailable: false, emailAvailable: false }));
    expect(r.channels).toEqual(['in_app']);
    expect(r.reasons).toEqual(['slack: not configured', 'email_digest: not configured']);
  });

  it('applies the digest and in-app minimum amounts', () => {
    const prefs = { minAmountMinor: { in_app: { default: 0, EUR: 100_000 }, slack: { default: 1_000_000 }, email_digest: { default: 0, EUR: 100_000 } } };
    const r = route(input({ riskLevel: 'low', amountMinor: 99_999 }, prefs));
    expect(r.channels).toEqual([]);
    expect(r.reasons).toContain('email_digest: amount 99999 EUR below minimum 100000');
  });

  it('pushes nothing but risky invoices in risk-only mode', () => {
    const r = route(input({ riskLevel: 'low' }, { riskOnly: true }));
    expect(r.channels).toEqual([]);
    expect(r.reasons[0]).toBe('risk-only mode: low risk invoice_issued is not pushed');
    expect(route(input({ riskLevel: 'medium', amountMinor: 10 }, { riskOnly: true })).channels).toEqual(['in_app', 'email_digest']);
  });

  it('holds Slack until quiet hours end in the CSM’s zone, across midnight', () => {
    const quiet = { quietHours: { start: '22:00', end: '07:00' } };
    const lateParis = Date.parse('2026-11-24T22:30:00Z'); // 23:30 in Paris
    const r = route(input({ now: lateParis, zone: 'Europe/Paris' }, quiet));
    expect(r.channels).toEqual(['in_app', 'slack']);
    expect(new Date(r.slackNotBefore!).toISOString()).toBe('2026-11-25T06:00:00.000Z');
    expect(route(input({ now: lateParis, zone: 'America/New_York' }, quiet)).slackNotBefore).toBe(lateParis);
  });

  it('overflows into the digest once the hourly Slack cap is reached', () => {
    const r = route(input({ slackInLastHour: 3 }));
    expect(r.channels).toEqual(['in_app', 'email_digest']);
    expect(r.reasons).toContain('slack: cap of 3 per hour reached; overflow into the digest');
  });

  it('delays Slack by the batching window so invoices of one account go out together', () => {
    expect(route(input({}, { batchWindowSeconds: 30 })).slackNotBefore).toBe(noon + 30_000);
  });
});
