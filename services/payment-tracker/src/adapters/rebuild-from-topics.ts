import { AvroSerde, topicName, topics, type PaymentStatus } from '@invoice-signal/events';
import { createDb, createKafka, ensureDatabase, migrate, type Knex, type Logger } from '@invoice-signal/runtime';
import type { Config } from '../config.ts';
import { foldInvoice, type InvoiceView } from '../domain/fold.ts';
import { ledgerType, overdueMarker, vendorEntry } from '../domain/ledger.ts';
import { dueZoneOf, dueZonesGroup } from '../handlers/due-zone.ts';
import { overdueFireAt } from '../domain/publication.ts';
import { validateInvoiceEvent } from '../domain/validate.ts';
import { migrations } from '../migrations/index.ts';
import { loadEntries, lockInvoice, recordEntry, refold } from './ledger-store.ts';
import { scanOverdue } from '../jobs/overdue-scan.ts';
import { readTopicToEnd } from './read-topic.ts';
import { statusOutbox } from './status-outbox.ts';

export interface RebuildReport {
  /** The consumer group that now holds the rebuilt state's offsets: start the service with it. */
  groupId: string;
  statusesRead: number;
  eventsRead: number;
  eventsSkipped: number;
  invoices: number;
  /** Invoices whose rebuilt state differs from the compacted topic; published when the service starts. */
  differing: number;
}

const viewKeys: Array<keyof InvoiceView> = [
  'invoiceId', 'status', 'source', 'vendorCustomerId', 'accountId', 'invoiceNumber', 'currency', 'totalMinor', 'amountDueMinor', 'amountPaidMinor',
  'amountRemainingMinor', 'amountRefundedMinor', 'amountCreditedMinor', 'issuedAt', 'dueAt', 'paidAt', 'overdueSince', 'attemptCount', 'failureReason', 'disputed', 'disputeStatus', 'lastEventAt',
];

/** The last published state becomes the baseline, so versions continue and only real differences are republished. */
async function seedFromStatus(db: Knex, invoiceId: string, status: PaymentStatus | null, version: number) {
  const view = status ? (Object.fromEntries(viewKeys.map((k) => [k, status[k as keyof PaymentStatus]])) as unknown as InvoiceView) : ({ invoiceId, status: 'deleted' } as InvoiceView);
  await db('invoice_state').insert({
    invoice_id: invoiceId, status: view.status, previous_status: status?.previousStatus ?? null, currency: status?.currency ?? '',
    amount_due_minor: status?.amountDueMinor ?? 0, amount_paid_minor: status?.amountPaidMinor ?? 0, amount_remaining_minor: status?.amountRemainingMinor ?? 0,
    amount_refunded_minor: status?.amountRefundedMinor ?? 0, due_at: status?.dueAt ?? null, account_id: status?.accountId ?? null, vendor_customer_id: status?.vendorCustomerId ?? null,
    attempt_count: status?.attemptCount ?? 0, disputed: status?.disputed ?? false, last_event_at: status?.lastEventAt ?? 0, version,
    changed_at: status?.changedAt ?? 0, view: JSON.stringify(view),
  });
}

/**
 * Rebuilds the tracker's database from the topics, into an EMPTY database (config.databaseUrl):
 * 1. the compacted status topic gives the last published state and version of every invoice;
 * 2. billing.invoice.events.v1 from the beginning, under a new consumer group, refills the ledger;
 * 3. every invoice is refolded (differences from step 1 land in the outbox) and the overdue scan runs.
 * The service then starts on this database with EVENTS_CONSUMER_GROUP set to the returned group.
 */
export async function rebuildFromTopics(config: Config, logger: Logger, groupId = `${[config.TOPIC_NAMESPACE, 'payment-tracker', 'events'].filter(Boolean).join('.')}.rebuild-${Date.now()}`): Promise<RebuildReport> {
  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl, config.DB_POOL_MAX);
  try {
    await migrate(db, migrations);
    const [{ n }] = await db('invoice_events').count({ n: '*' });
    if (Number(n) > 0) throw new Error(`rebuild needs an empty database; ${config.databaseUrl.replace(/:[^:@/]*@/, ':***@')} already holds ${n} events`);
    const kafka = createKafka('invoice-signal.payment-tracker.rebuild', config, logger);
    const serde = new AvroSerde({ url: config.SCHEMA_REGISTRY_URL, namespace: config.TOPIC_NAMESPACE });

    // Log order per key is publication order (one writer, outbox order), so the last record wins.
    // A tombstone carries its version only in the status-version header.
    const latest = new Map<string, { status: PaymentStatus | null; version: number }>();
    await readTopicToEnd(kafka, topicName(topics.paymentStatus, serde.namespace), `${groupId}.baseline`, async (messages) => {
      for (const m of messages) {
        if (!m.key) continue;
        const status = m.value ? await serde.decode(topics.paymentStatus, m.value) : null;
        latest.set(m.key.toString(), { status, version: status?.version ?? Number(m.headers?.['status-version']?.toString() ?? 0) });
      }
    });
    for (const [invoiceId, { status, version }] of latest) await seedFromStatus(db, invoiceId, status, version);

    let eventsRead = 0;
    let eventsSkipped = 0;
    const touched = new Set<string>();
    await readTopicToEnd(kafka, topicName(topics.invoiceEvents, serde.namespace), groupId, async (messages) => {
      const rows = [];
      for (const m of messages) {
        eventsRead += 1;
        try {
          const entry = vendorEntry(validateInvoiceEvent(await serde.decode(topics.invoiceEvents, m.value!), m.key?.toString() ?? null));
          rows.push({ event_id: entry.eventId, invoice_id: entry.invoiceId, kind: 'vendor', type: entry.event.type, occurred_at: entry.occurredAt, payload: JSON.stringify(entry) });
          touched.add(entry.invoiceId);
        } catch (error) {
          eventsSkipped += 1; // the live consumer dead-lettered it when it first arrived
          logger.warn({ offset: m.offset, err: error }, 'skipping an event the tracker cannot fold');
        }
      }
      if (rows.length) await db('invoice_events').insert(rows).onConflict('event_id').ignore();
    });
    // The accounts' billing zones of date-only due dates, as the enricher chose them.
    await readTopicToEnd(kafka, topicName(topics.enriched, serde.namespace), dueZonesGroup(groupId), async (messages) => {
      const rows = [];
      for (const m of messages) {
        const entry = m.value ? await serde.decode(topics.enriched, m.value).then(dueZoneOf, (error) => logger.warn({ offset: m.offset, err: error }, 'skipping an undecodable enrichment')) : null;
        if (!entry) continue;
        rows.push({ event_id: entry.eventId, invoice_id: entry.invoiceId, kind: entry.kind, type: ledgerType(entry), occurred_at: entry.occurredAt, payload: JSON.stringify(entry) });
        touched.add(entry.invoiceId);
      }
      if (rows.length) await db('invoice_events').insert(rows).onConflict('event_id').ignore();
    });

    const fold = { overdueGraceMs: config.OVERDUE_GRACE_MS };
    const now = Date.now();
    for (const invoiceId of touched) {
      await db.transaction(async (trx) => {
        await lockInvoice(trx, invoiceId);
        // Markers are the tracker's own facts, not on any topic: re-derive the due ones before the
        // refold, so an overdue invoice is not first rebuilt as pending and published backwards.
        const folded = foldInvoice(await loadEntries(trx, invoiceId));
        const fireAt = folded ? overdueFireAt(folded.view, fold.overdueGraceMs) : null;
        if (folded && fireAt !== null && fireAt <= now) await recordEntry(trx, overdueMarker(invoiceId, folded.view.dueAt!, fold.overdueGraceMs));
        await refold(trx, invoiceId, fold);
      });
    }
    await scanOverdue(db, { ...fold, batchSize: config.OVERDUE_SCAN_BATCH });
    const differing = Number((await db(statusOutbox.spec.table).countDistinct({ n: 'key' }))[0].n);
    return { groupId, statusesRead: latest.size, eventsRead, eventsSkipped, invoices: touched.size, differing };
  } finally {
    await db.destroy();
  }
}
