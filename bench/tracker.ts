/**
 * Follows every invoice through the pipeline by the broker timestamp of its record on each topic:
 * invoice events → enriched → assessed → notifications. One consumer group of its own, reading
 * from the beginning; values decoded through the registry like the services do.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { AvroSerde, topicName, topics, type AssessedInvoice, type CsmNotification, type EnrichedInvoice, type InvoiceEvent } from '@invoice-signal/events';

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

export class PipelineTracker {
  /** Stage → invoiceId → broker timestamp of the first record seen (epoch ms). */
  readonly seen: Record<Stage, Map<string, number>> = { events: new Map(), enriched: new Map(), assessed: new Map(), notifications: new Map() };
  private consumer?: Consumer;
  private readonly serde: AvroSerde;
  private readonly namespace: string;

  constructor(namespace: string, registryUrl: string) {
    this.namespace = namespace;
    this.serde = new AvroSerde({ url: registryUrl, namespace });
  }

  async start(brokers: string[]): Promise<void> {
    const byTopic = new Map(stages.map((s) => [topicName(specs[s], this.namespace), s]));
    this.consumer = new Kafka({ clientId: 'bench-tracker', brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `${this.namespace}.bench.tracker`, maxWaitTimeInMs: 100 });
    const joined = new Promise<void>((resolve) => this.consumer!.on(this.consumer!.events.GROUP_JOIN, () => resolve()));
    await this.consumer.connect();
    for (const topic of byTopic.keys()) await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const stage = byTopic.get(batch.topic)!;
        for (const message of batch.messages) {
          if (!message.value) continue;
          const id = invoiceOf[stage](await this.serde.decode(specs[stage], message.value));
          if (id !== undefined && !this.seen[stage].has(id)) this.seen[stage].set(id, Number(message.timestamp));
        }
      },
    });
    await joined;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
