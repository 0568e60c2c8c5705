/**
 * Reconciles what the vendors sent with what came out: notifications on csm.notifications.v1
 * (one invoice_issued notification id per invoice, no invoice missing), the notifier's database
 * and API, and payment statuses on billing.invoice.payment-status.v1 (the highest version of
 * each invoice equals the status its event set implies).
 */
import pg from 'pg';
import { AvroSerde, topics, type CsmNotification, type PaymentStatus } from '@invoice-signal/events';
import { TopicReader, type SystemUnderTest } from '@invoice-signal/testkit';
import { signDevToken } from '@invoice-signal/runtime';
import type { PlannedInvoice } from './workload.ts';

export interface Reconciliation {
  sent: number;
  notified: number;
  lost: string[];
  duplicated: string[];
  unexpected: string[];
  statusMismatches: Array<{ invoiceId: string; expected: string; actual: string }>;
  notificationStatusMismatches: Array<{ invoiceId: string; expected: string; actual: string }>;
  notificationRecords: number;
  dbIssued: number;
  dbDuplicateRows: number;
  apiPendingTotal: number;
  dbTotal: number;
}

export interface Readers {
  notifications: TopicReader<CsmNotification>;
  statuses: TopicReader<PaymentStatus>;
  close(): Promise<void>;
}

export async function openReaders(namespace: string): Promise<Readers> {
  const serde = new AvroSerde({ url: process.env.SCHEMA_REGISTRY_URL!, namespace });
  const notifications = await TopicReader.open(topics.notifications, serde);
  const statuses = await TopicReader.open(topics.paymentStatus, serde);
  return { notifications, statuses, close: async () => void (await Promise.all([notifications.close(), statuses.close()])) };
}

function latestBy<V extends { version: number }>(records: Array<{ value: V | null }>, key: (v: V) => string): Map<string, V> {
  const latest = new Map<string, V>();
  for (const { value } of records) {
    if (!value) continue;
    const held = latest.get(key(value));
    if (!held || held.version < value.version) latest.set(key(value), value);
  }
  return latest;
}

/** What the topics say now (cheap: in memory). */
export function reconcileTopics(invoices: PlannedInvoice[], readers: Readers) {
  const expected = new Map(invoices.map((i) => [i.invoiceId, i.expected]));
  const idsByInvoice = new Map<string, Set<string>>();
  for (const { value } of readers.notifications.records) {
    if (value?.kind !== 'invoice_issued') continue;
    const ids = idsByInvoice.get(value.invoiceId) ?? new Set<string>();
    ids.add(value.id);
    idsByInvoice.set(value.invoiceId, ids);
  }
  const lost = invoices.filter((i) => !idsByInvoice.has(i.invoiceId)).map((i) => i.invoiceId);
  const duplicated = [...idsByInvoice].filter(([, ids]) => ids.size > 1).map(([id]) => id);
  const unexpected = [...idsByInvoice.keys()].filter((id) => !expected.has(id));
  const statuses = latestBy(readers.statuses.records, (v) => v.invoiceId);
  const statusMismatches = invoices.filter((i) => statuses.get(i.invoiceId)?.status !== i.expected).map((i) => ({ invoiceId: i.invoiceId, expected: i.expected, actual: statuses.get(i.invoiceId)?.status ?? 'none' }));
  const notes = latestBy(readers.notifications.records.filter((r) => r.value?.kind === 'invoice_issued'), (v) => v.invoiceId);
  const notificationStatusMismatches = invoices.filter((i) => notes.get(i.invoiceId)?.status !== i.expected).map((i) => ({ invoiceId: i.invoiceId, expected: i.expected, actual: notes.get(i.invoiceId)?.status ?? 'none' }));
  return { sent: invoices.length, notified: idsByInvoice.size, lost, duplicated, unexpected, statusMismatches, notificationStatusMismatches, notificationRecords: readers.notifications.records.length };
}

/**
 * The notifier's own view: its table (unique per invoice and kind) and its API's pending totals,
 * settled invoices included (nothing is acknowledged here, so every notification is pending).
 */
export async function notifierView(system: SystemUnderTest) {
  const db = new pg.Client({ connectionString: system.databaseUrls().get('notifier') });
  await db.connect();
  try {
    const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0].n);
    const issued = await count("select count(*) as n from notifications where kind = 'invoice_issued'");
    const total = await count('select count(*) as n from notifications');
    const dupes = await count('select count(*) as n from (select invoice_id, kind from notifications group by invoice_id, kind having count(*) > 1) d');
    const csmIds = (await db.query<{ csm_id: string }>('select distinct csm_id from notifications')).rows.map((r) => r.csm_id);
    const token = await signDevToken(system.secrets.AUTH_JWT_SECRET, 'chaos-admin', { role: 'admin' });
    let apiPendingTotal = 0;
    for (const csm of csmIds) {
      const res = await fetch(`${system.url('notifier')}/api/invoices/csm/${encodeURIComponent(csm)}/pending?limit=1&settled=include`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`pending list of ${csm} answered ${res.status}: ${await res.text()}`);
      apiPendingTotal += ((await res.json()) as { total: number }).total;
    }
    return { dbIssued: issued, dbTotal: total, dbDuplicateRows: dupes, apiPendingTotal };
  } finally {
    await db.end();
  }
}
