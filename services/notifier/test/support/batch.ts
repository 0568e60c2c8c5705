import type { AssessedInvoice, PaymentStatus } from '@invoice-signal/events';
import { createLogger, type BatchContext, type EmittedRecord, type IncomingRecord, type Knex } from '@invoice-signal/runtime';
import { createLiveHub } from '../../src/adapters/live-hub.ts';
import { defaultPreferences, type PreferenceDefaults } from '../../src/domain/preferences.ts';
import type { NotifierDeps } from '../../src/handlers/deps.ts';

/** The handlers' dependencies on a test database (no service around them); `kicks` counts the wake-ups. */
export function batchDeps(db: Knex, databaseUrl: string, opts: { now?: () => number; slack?: boolean; email?: boolean; defaults?: Partial<PreferenceDefaults> } = {}): NotifierDeps & { kicks: number } {
  const logger = createLogger('notifier', 'silent');
  const deps = {
    db, logger, live: createLiveHub(databaseUrl, logger), now: opts.now ?? Date.now, defaultZone: 'UTC', publicUrl: 'http://inbox.test',
    slackAvailable: opts.slack ?? true, emailAvailable: opts.email ?? true, kicks: 0, kick: () => {
      deps.kicks += 1;
    },
    defaults: defaultPreferences({
      slackMinRisk: 'high', digestMinAmountMinor: 0, slackMaxPerHour: 10, digestFrequency: 'daily', digestHour: 8,
      quietHours: undefined, batchWindowSeconds: 0, ...opts.defaults,
    }),
  };
  return deps;
}

/** Records as the runtime hands them over: one partition, consecutive offsets. */
export function asRecords<V>(topic: string, values: Array<{ key: string; value: V | null }>): IncomingRecord<V>[] {
  return values.map((v, i) => ({ topic, partition: 0, offset: String(i), key: v.key, value: v.value, headers: {}, timestamp: Date.now() }));
}

export const assessedRecords = (...values: AssessedInvoice[]) => asRecords('test.billing.invoice.assessed.v1', values.map((value) => ({ key: value.accountId, value })));
export const statusRecords = (...values: PaymentStatus[]) => asRecords('test.billing.invoice.payment-status.v1', values.map((value) => ({ key: value.invoiceId, value })));

/** Runs a batch the way the runtime does: one transaction around the handler, then the after-commit work. Returns what it emitted. */
export async function inBatch(db: Knex, handle: (ctx: BatchContext) => Promise<void>): Promise<EmittedRecord<unknown>[]> {
  const after: Array<() => unknown> = [];
  const emitted: EmittedRecord<unknown>[] = [];
  await db.transaction(async (trx) => {
    await handle({ trx, emit: (_spec, records) => void emitted.push(...records), afterCommit: (fn) => void after.push(fn) });
  });
  for (const fn of after) await fn();
  return emitted;
}
