/**
 * Follows every invoice of a registered step through the pipeline by the broker timestamp of its
 * first record on each topic: invoice events → enriched → assessed → notifications. One consumer
 * group of its own, reading from the beginning, values decoded through the registry like the
 * services do. Steps are registered by label; invoice ids carry the label and the index i, so the
 * timestamps live in one array per stage and step (a Map per invoice would take gigabytes).
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { AvroSerde, topicName, topics, type AssessedInvoice, type CsmNotification, type EnrichedInvoice, type InvoiceEvent } from '@invoice-signal/events';
import { parseInvoiceId } from './webhooks.ts';

export const stages = ['events', 'enriched', 'assessed', 'notifications'] as const;
export type Stage = (typeof stages)[number];

const specs = { events: topics.invoiceEvents, enriched: topics.enriched, assessed: topics.assessed, notifications: topics.notifications };

/** The invoice a record is about, or undefined for records the bench does not follow. */
const invoiceOf: Record<Stage, (v: unknown) => string | undefined> = {
  events: (v) => ((v as InvoiceEvent).type === 'issued' ? (v as InvoiceEvent).invoiceId : undefined),
  enriched: (v) => (v as EnrichedInvoice).invoice.invoiceId,
  assessed: (v) => (v as AssessedInvoice).enriched.invoice.invoiceId,
  notifications: (v) => ((v as CsmNotification).kind === 'invoice_issued' ? (v as CsmNotification).invoiceId : undefined),
};

export interface TrackedStep {
  label: string;
  total: number;
  /** Stage → first broker timestamp per invoice index (NaN: not seen yet). */
  seen: Record<Stage, Float64Array>;
  /** Stage → invoices seen so far. */
  counts: Record<Stage, number>;
}

export class PipelineTracker {
  readonly steps = new Map<string, TrackedStep>();
  /** Requests this tracker made to the broker, by API (subtracted from the broker's counts). */
  readonly requests: Record<string, number> = {};
  /** Stage → [records, value bytes] of everything read (the pipeline's record size). */
  readonly sizes: Record<Stage, [number, number]> = { events: [0, 0], enriched: [0, 0], assessed: [0, 0], notifications: [0, 0] };
  private consumer?: Consumer;
  private readonly serde: AvroSerde;

  private readonly namespace: string;

  constructor(namespace: string, registryUrl: string) {
    this.namespace = namespace;
    this.serde = new AvroSerde({ url: registryUrl, namespace });
  }

  register(label: string, total: number): TrackedStep {
    const seen = Object.fromEntries(stages.map((s) => [s, new Float64Array(total).fill(Number.NaN)])) as Record<Stage, Float64Array>;
    const step = { label, total, seen, counts: { events: 0, enriched: 0, assessed: 0, notifications: 0 } };
    this.steps.set(label, step);
    return step;
  }

  private record(stage: Stage, id: string | undefined, timestamp: number) {
    const parsed = id === undefined ? undefined : parseInvoiceId(id);
    const step = parsed && this.steps.get(parsed.label);
    if (!step || parsed.i >= step.total) return;
    if (Number.isNaN(step.seen[stage][parsed.i]!)) {
      step.seen[stage][parsed.i] = timestamp;
      step.counts[stage] += 1;
    }
  }

  async start(brokers: string[]): Promise<void> {
    const byTopic = new Map(stages.map((s) => [topicName(specs[s], this.namespace), s]));
    this.consumer = new Kafka({ clientId: 'bench-tracker', brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `${this.namespace}.bench.tracker`, maxWaitTimeInMs: 100 });
    this.consumer.on(this.consumer.events.REQUEST, (e) => {
      const api = (e.payload as { apiName: string }).apiName;
      this.requests[api] = (this.requests[api] ?? 0) + 1;
    });
    const joined = new Promise<void>((resolve) => this.consumer!.on(this.consumer!.events.GROUP_JOIN, () => resolve()));
    await this.consumer.connect();
    for (const topic of byTopic.keys()) await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false, // nothing to resume: a tracker always starts from the beginning
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const stage = byTopic.get(batch.topic)!;
        for (const message of batch.messages) {
          if (!message.value) continue;
          this.sizes[stage][0] += 1;
          this.sizes[stage][1] += message.value.length;
          this.record(stage, invoiceOf[stage](await this.serde.decode(specs[stage], message.value)), Number(message.timestamp));
        }
      },
    });
    await joined;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
