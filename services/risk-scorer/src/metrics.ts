import { Counter } from 'prom-client';

/** Risk-scorer metrics, beside the runtime's consumer metrics on /metrics. */
export const riskMetrics = {
  assessments: new Counter({ name: 'risk_assessments_total', help: 'Assessments published, by risk level', labelNames: ['level'] as const }),
  flags: new Counter({ name: 'risk_flags_total', help: 'Risk flags raised, by code', labelNames: ['code'] as const }),
  replays: new Counter({
    name: 'risk_replays_total',
    help: 'Enriched records already assessed: skipped (published before) or republished (the earlier run stopped before the broker ack)',
    labelNames: ['outcome'] as const,
  }),
};
