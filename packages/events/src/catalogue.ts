import type { AssessedInvoice, CsmNotification, CustomerContext, EnrichedInvoice, InvoiceEvent, PaymentStatus } from './generated/types.ts';

export type ServiceName = 'ingest-gateway' | 'enricher' | 'risk-scorer' | 'notifier' | 'payment-tracker';

/** One topic of the contract. `V` is the TypeScript type of its values (a phantom, never set). */
export interface TopicSpec<V = unknown> {
  /** Contract name, without any deployment namespace. */
  name: string;
  /** Which field of the value is the record key. */
  keyField: string;
  /** Full Avro name of the value type in schemas/. */
  valueType: string;
  cleanup: 'delete' | 'compact';
  /** The one service that writes this topic. */
  owner: ServiceName;
  partitions: number;
  /** Retention of a delete-policy topic, ms. */
  retentionMs?: number;
  readonly value?: V;
}

const days = (n: number) => n * 24 * 3600 * 1000;

function topic<V>(spec: Omit<TopicSpec<V>, 'value'>): TopicSpec<V> {
  return spec;
}

/** Every topic of the system, its key, value type, cleanup policy and single writer. */
export const topics = {
  invoiceEvents: topic<InvoiceEvent>({
    name: 'billing.invoice.events.v1', keyField: 'invoiceId', valueType: 'io.invoicesignal.billing.InvoiceEvent',
    cleanup: 'delete', owner: 'ingest-gateway', partitions: 6, retentionMs: days(30),
  }),
  paymentStatus: topic<PaymentStatus>({
    name: 'billing.invoice.payment-status.v1', keyField: 'invoiceId', valueType: 'io.invoicesignal.billing.PaymentStatus',
    cleanup: 'compact', owner: 'payment-tracker', partitions: 6,
  }),
  customerContext: topic<CustomerContext>({
    name: 'cs.customer-context.v1', keyField: 'accountId', valueType: 'io.invoicesignal.cs.CustomerContext',
    cleanup: 'compact', owner: 'enricher', partitions: 6,
  }),
  enriched: topic<EnrichedInvoice>({
    name: 'billing.invoice.enriched.v1', keyField: 'accountId', valueType: 'io.invoicesignal.billing.EnrichedInvoice',
    cleanup: 'delete', owner: 'enricher', partitions: 6, retentionMs: days(30),
  }),
  assessed: topic<AssessedInvoice>({
    name: 'billing.invoice.assessed.v1', keyField: 'accountId', valueType: 'io.invoicesignal.billing.AssessedInvoice',
    cleanup: 'delete', owner: 'risk-scorer', partitions: 6, retentionMs: days(30),
  }),
  notifications: topic<CsmNotification>({
    name: 'csm.notifications.v1', keyField: 'csmId', valueType: 'io.invoicesignal.csm.CsmNotification',
    cleanup: 'delete', owner: 'notifier', partitions: 6, retentionMs: days(30),
  }),
} as const;

export type TopicKey = keyof typeof topics;
export type ValueOf<T extends TopicSpec> = T extends TopicSpec<infer V> ? V : never;

/**
 * The topic's name in a deployment. A namespace (TOPIC_NAMESPACE) prefixes every name so that
 * tests, or tenants sharing a cluster, stay apart; production runs with none.
 */
export function topicName(spec: TopicSpec, namespace = ''): string {
  return namespace ? `${namespace}.${spec.name}` : spec.name;
}

/** Records a consumer could not process go to `<topic>.dlq`, same key, with the reason in headers. */
export const deadLetterName = (topic: string) => `${topic}.dlq`;
export const subjectOf = (topic: string) => `${topic}-value`;
