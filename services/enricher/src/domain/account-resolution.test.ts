import { describe, expect, it } from 'vitest';
import { matchKeyOf, unmatchedAccountId, vendorRefsOf } from './account-resolution.ts';

describe('account resolution', () => {
  it('lists only the vendor references a snapshot sets', () => {
    expect(vendorRefsOf({ vendorRefs: { stripeCustomerId: 'cus_1', chargebeeCustomerId: null, salesforceAccountId: '001X' } })).toEqual([
      { source: 'stripe', vendorCustomerId: 'cus_1' },
      { source: 'salesforce', vendorCustomerId: '001X' },
    ]);
  });

  it('prefers the account id the source already knows, then the vendor reference', () => {
    expect(matchKeyOf({ accountId: 'acc_1', source: 'manual', vendorCustomerId: 'x' })).toEqual({ kind: 'account', accountId: 'acc_1' });
    expect(matchKeyOf({ accountId: null, source: 'chargebee', vendorCustomerId: 'cb_1' })).toEqual({ kind: 'vendor', ref: { source: 'chargebee', vendorCustomerId: 'cb_1' } });
    expect(matchKeyOf({ accountId: null, source: 'other', vendorCustomerId: null })).toEqual({ kind: 'none' });
  });

  it('names an unmatched account after its source and vendor customer id', () => {
    expect(unmatchedAccountId({ source: 'stripe', vendorCustomerId: 'cus_9' })).toBe('unmatched:stripe:cus_9');
    expect(unmatchedAccountId({ source: 'manual', vendorCustomerId: null })).toBe('unmatched:manual:none');
  });
});
