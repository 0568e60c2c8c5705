import { describe, expect, it } from 'vitest';
import { payloadRetentionCutoff } from './payload-retention.ts';

describe('raw payload retention cutoff', () => {
  const now = Date.parse('2026-12-31T12:00:00Z');

  it('is the retention period before now, in whole days of 24 h', () => {
    expect(payloadRetentionCutoff(now, 30)).toBe(Date.parse('2026-12-01T12:00:00Z'));
    expect(payloadRetentionCutoff(now, 1)).toBe(Date.parse('2026-12-30T12:00:00Z'));
  });
});
