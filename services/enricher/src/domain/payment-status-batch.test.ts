import { describe, expect, it } from 'vitest';
import type { PaymentStatus } from '@invoice-signal/events';
import { samplePaymentStatus } from '@invoice-signal/testkit';
import { planStatusBatch } from './payment-status-batch.ts';

const value = (invoiceId: string, version: number, status: PaymentStatus['status'] = 'pending', lastEventAt = version * 10) =>
  ({ key: invoiceId, value: samplePaymentStatus({ invoiceId, version, status, previousStatus: null, lastEventAt }) });
const tombstone = (invoiceId: string) => ({ key: invoiceId, value: null });

describe('folding a batch of payment statuses', () => {
  it('keeps one row per invoice, the highest version, whatever the order', () => {
    const plan = planStatusBatch([value('b', 2), value('a', 3), value('b', 1), value('a', 4), value('a', 2)]);
    expect(plan.upserts.map((r) => [r.invoiceId, r.version])).toEqual([['a', 4], ['b', 2]]);
    expect(plan.deletes).toEqual([]);
  });

  it('lets the last record per key win between a tombstone and values', () => {
    const plan = planStatusBatch([value('a', 5), tombstone('a'), value('a', 1), value('b', 7), tombstone('b'), tombstone('c')]);
    expect(plan.deletes).toEqual(['a', 'b', 'c']);
    expect(plan.upserts.map((r) => [r.invoiceId, r.version])).toEqual([['a', 1]]);
  });

  it('carries the failures seen on the way to the newest version, not those of a version already passed', () => {
    const plan = planStatusBatch([value('a', 2, 'failed'), value('a', 3, 'overdue'), value('a', 1, 'failed', 999), value('a', 4, 'paid')]);
    expect(plan.upserts).toEqual([expect.objectContaining({ invoiceId: 'a', version: 4, status: 'paid', everFailed: true, lastFailedAt: 20 })]);
    expect(plan.failures).toEqual([{ invoiceId: 'a', version: 2, lastFailedAt: 20 }]);
  });

  it('forgets failures before a tombstone', () => {
    const plan = planStatusBatch([value('a', 2, 'failed'), tombstone('a'), value('a', 3, 'paid')]);
    expect(plan.upserts[0]).toMatchObject({ everFailed: false, lastFailedAt: null });
    expect(plan.failures).toEqual([]);
  });

  it('skips a tombstone without a key', () => {
    expect(planStatusBatch([{ key: null, value: null }])).toEqual({ deletes: [], upserts: [], failures: [] });
  });
});
