import { topics, type EnrichedInvoice } from '@invoice-signal/events';
import { InvalidRecordError, type EventPublisher, type IncomingRecord, type Logger } from '@invoice-signal/runtime';
import type { AssessmentStore } from '../adapters/assessment-store.ts';
import { riskMetrics } from '../adapters/metrics.ts';
import { assess, problemsOf } from '../domain/assess.ts';
import type { Rules } from '../domain/rules.ts';

export interface EnrichedInvoiceDeps {
  store: AssessmentStore;
  /** Concurrent publishes are joined into one produce request by the runtime's publisher. */
  publisher: EventPublisher;
  rules: Rules;
  logger: Logger;
  now?: () => number;
}

/**
 * billing.invoice.enriched.v1 → billing.invoice.assessed.v1. Decide once per enrichmentId (stored
 * with the history in one transaction), then publish, then mark published. A replay of an
 * enrichment already published produces nothing; one whose earlier run stopped before the broker
 * ack republishes the stored assessment unchanged (same assessmentId, same content).
 */
export function handleEnrichedInvoice(deps: EnrichedInvoiceDeps) {
  const now = deps.now ?? Date.now;
  return async (record: IncomingRecord<EnrichedInvoice>): Promise<void> => {
    const enriched = record.value;
    if (!enriched) throw new InvalidRecordError('RISK_TOMBSTONE', `tombstone on ${record.topic} (key ${record.key}): enriched invoices are never deleted`);
    const problems = problemsOf(enriched);
    if (problems.length) throw new InvalidRecordError('RISK_INVALID_ENRICHED', `enriched invoice ${enriched.enrichmentId || '(no id)'} cannot be assessed: ${problems.join('; ')}`);
    if (record.key !== enriched.accountId) deps.logger.warn({ key: record.key, accountId: enriched.accountId }, 'record key is not the accountId: per-account ordering is not guaranteed');

    const stored = await deps.store.assessOnce(enriched, (history) => assess(enriched, history, deps.rules, now()));
    if (stored.published) {
      riskMetrics.replays.inc({ outcome: 'skipped' });
      return;
    }
    await deps.publisher.publish(topics.assessed, [{ key: stored.value.accountId, value: stored.value, headers: { 'assessment-id': stored.value.assessmentId } }]);
    await deps.store.markPublished(enriched.enrichmentId);
    if (stored.replayed) riskMetrics.replays.inc({ outcome: 'republished' });
    riskMetrics.assessments.inc({ level: stored.value.riskLevel });
    for (const f of stored.value.flags) riskMetrics.flags.inc({ code: f.code });
  };
}
