import { describe, expect, it } from 'vitest';
import { sampleCustomerContext, sampleInvoiceEvent } from '@invoice-signal/testkit';
import { enrich, enrichmentId } from './enrichment.ts';

const fallbackOwner = { id: 'csm_triage', email: 'triage@example.com', slackUserId: null, timeZone: null, team: null };

describe('enriching an issued invoice', () => {
  it('carries the context, its owner, the health trend and the account id when matched', () => {
    const out = enrich({ invoice: sampleInvoiceEvent(), accountId: 'acc_acme', context: sampleCustomerContext(), payments: [], fallbackOwner, revision: 1, now: 5 });
    expect(out).toMatchObject({ accountId: 'acc_acme', matched: true, revision: 1, owner: { id: 'csm_alice' }, enrichedAt: 5 });
    expect(out.invoice.accountId).toBe('acc_acme');
    expect(out.healthTrend).toMatchObject({ direction: 'declining', deltaPoints: -18 });
  });

  it('goes to the fallback owner under an unmatched key when no context is known', () => {
    const out = enrich({ invoice: sampleInvoiceEvent({ vendorCustomerId: 'cus_new' }), accountId: null, context: null, payments: [], fallbackOwner, revision: 1, now: 5 });
    expect(out).toMatchObject({ accountId: 'unmatched:stripe:cus_new', matched: false, owner: fallbackOwner, context: null, healthTrend: null });
    expect(out.invoice.accountId).toBeNull();
  });

  it('keeps an account id the source gave even before its context arrives', () => {
    const out = enrich({ invoice: sampleInvoiceEvent({ source: 'manual', accountId: 'acc_x' }), accountId: 'acc_x', context: null, payments: [], fallbackOwner, revision: 1, now: 5 });
    expect(out).toMatchObject({ accountId: 'acc_x', matched: false, owner: fallbackOwner });
  });

  it('derives a stable id from event, account and snapshot', () => {
    expect(enrichmentId('e1', 'a', 10)).toBe(enrichmentId('e1', 'a', 10));
    expect(enrichmentId('e1', 'a', 10)).not.toBe(enrichmentId('e1', 'a', 11));
    expect(enrichmentId('e1', 'a', null)).not.toBe(enrichmentId('e2', 'a', null));
  });
});
