import { Counter } from 'prom-client';

/** Risk-scorer metrics, beside the runtime's consumer metrics on /metrics. */
export const riskMetrics = {
  assessments: new Counter({ name: 'risk_assessments_total', help: 'Assessments published, by risk level', labelNames: ['level'] as const }),
  flags: new Counter({ name: 'risk_flags_total', help: 'Risk flags raised, by code', labelNames: ['code'] as const }),
  highValueWithoutRate: new Counter({
    name: 'risk_high_value_missing_rate_total',
    help: 'Invoices flagged HIGH_VALUE only because the FX table has no rate for their currency (add one: HIGH_VALUE_FX_RATES)',
    labelNames: ['currency'] as const,
  }),
  replays: new Counter({
    name: 'risk_replays_total',
    help: 'Enriched records already assessed: skipped (published before) or republished (the earlier run stopped before the broker ack)',
    labelNames: ['outcome'] as const,
  }),
};
