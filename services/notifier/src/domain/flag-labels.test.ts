import { describe, expect, it } from 'vitest';
import { flagLabel, flagLabels } from './flag-labels.ts';

describe('flag labels', () => {
  it('gives every code the risk-scorer raises a label a CSM can read', () => {
    const codes = ['FIRST_INVOICE', 'AMOUNT_CHANGE', 'HEALTH_DECLINING', 'LATE_PAYMENT_HISTORY', 'CONTRACT_DISPUTE', 'PAYMENT_FAILED_RECENTLY', 'RENEWAL_APPROACHING', 'HIGH_VALUE', 'UNMATCHED_ACCOUNT'];
    expect(Object.keys(flagLabels).sort()).toEqual([...codes].sort());
    for (const code of codes) expect(flagLabel(code)).not.toMatch(/[A-Z]{2,}_/);
    expect(flagLabel('CONTRACT_DISPUTE')).toBe('Open contract dispute');
  });

  it('reads an unknown code as words, never as the code', () => {
    expect(flagLabel('SEAT_COUNT_DROPPED')).toBe('Seat count dropped');
    expect(flagLabel('')).toBe('');
  });
});
