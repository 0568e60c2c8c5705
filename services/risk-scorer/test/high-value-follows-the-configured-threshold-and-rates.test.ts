import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@invoice-signal/testkit';
import { monthlyInvoice } from './support/enriched-factory.ts';
import { startScorer, type ScorerHarness } from './support/scorer-harness.ts';

// The scorer as deployed with EUR 5,000 as the bar and one rate overridden, through the real broker, registry and Postgres.
describe('HIGH_VALUE follows HIGH_VALUE_* configuration; a currency without a rate is flagged, logged and counted', () => {
  let h: ScorerHarness;
  beforeAll(async () => {
    h = await startScorer('risk_hv', { env: { HIGH_VALUE_THRESHOLD: '5000', HIGH_VALUE_REFERENCE_CURRENCY: 'EUR', HIGH_VALUE_FX_RATES: 'JPY=0.0058' } });
  });
  afterAll(async () => h?.close());

  const flagOf = async (enrichmentId: string) =>
    (await h.assessed.waitFor(1, (r) => r.value?.enriched.enrichmentId === enrichmentId))[0]!.value!.flags.find((f) => f.code === 'HIGH_VALUE');
  const invoice = (currency: string, due: number) => {
    const e = monthlyInvoice(uniqueName('acc'), 0, due);
    return { ...e, invoice: { ...e.invoice, currency } };
  };

  it('compares the amount due with EUR 5,000 converted at the configured rate', async () => {
    // EUR 5,000 × 1.16 (shipped EUR rate) / 0.0058 (overridden JPY rate) = ¥1,000,000 exactly.
    const below = invoice('JPY', 999_999);
    const at = invoice('JPY', 1_000_000);
    const euro = invoice('EUR', 500_000);
    await h.publishEnriched(below, at, euro);
    expect(await flagOf(below.enrichmentId)).toBeUndefined();
    expect((await flagOf(at.enrichmentId))?.facts).toMatchObject({ thresholdMinor: '1000000', threshold: 'EUR 5,000.00', rate: '1 JPY = 0.0058 USD' });
    expect((await flagOf(euro.enrichmentId))?.facts).toMatchObject({ thresholdMinor: '500000' });
  });

  it('raises a currency the table has no rate for, with the reason, and counts it', async () => {
    const cuban = invoice('CUP', 100);
    await h.publishEnriched(cuban);
    const flag = await flagOf(cuban.enrichmentId);
    expect(flag?.facts).toMatchObject({ reason: 'no_fx_rate', currency: 'CUP' });
    expect(flag?.message).toContain('No exchange rate for CUP in the FX table');
    const metrics = await (await fetch(`${h.running.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/^risk_high_value_missing_rate_total\{currency="CUP"\} [1-9]/m);
  });
});
