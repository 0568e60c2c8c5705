import { describe, expect, it } from 'vitest';
import { byKey, copyOutcome, decideStored, pollDelayMs, uniqueRefs } from './delivery-group.ts';

describe('delivery group', () => {
  it('groups copies by key in order of first arrival', () => {
    const groups = byKey([{ k: 'b', n: 1 }, { k: 'a', n: 2 }, { k: 'b', n: 3 }], (x) => x.k);
    expect([...groups.keys()]).toEqual(['b', 'a']);
    expect(groups.get('b')!.map((x) => x.n)).toEqual([1, 3]);
  });

  it('answers accepted to the first copy only; an ignored type stays ignored for every copy', () => {
    expect([copyOutcome('accepted', true), copyOutcome('accepted', false)]).toEqual(['accepted', 'duplicate']);
    expect(copyOutcome('duplicate', true)).toBe('duplicate');
    expect(copyOutcome('ignored', false)).toBe('ignored');
  });

  it('decides what a stored receipt means for a new copy', () => {
    expect(decideStored({ hasEvent: false, published: false, claimable: true })).toBe('ignored');
    expect(decideStored({ hasEvent: true, published: true, claimable: true })).toBe('duplicate');
    expect(decideStored({ hasEvent: true, published: false, claimable: false })).toBe('claimed_elsewhere');
    expect(decideStored({ hasEvent: true, published: false, claimable: true })).toBe('claimable');
  });

  it('polls quickly first, then at most every 250 ms', () => {
    expect([0, 1, 2, 3, 4, 10].map(pollDelayMs)).toEqual([20, 40, 80, 160, 250, 250]);
  });

  it('keeps one row per payment reference, sorted', () => {
    expect(uniqueRefs([{ ref: 'pi_2', invoiceId: 'a' }, { ref: 'pi_1', invoiceId: 'b' }, { ref: 'pi_2', invoiceId: 'c' }])).toEqual([{ ref: 'pi_1', invoiceId: 'b' }, { ref: 'pi_2', invoiceId: 'c' }]);
  });
});
