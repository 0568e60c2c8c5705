import { describe, expect, it } from 'vitest';
import { closedDigestPeriod, inQuietHours, quietHoursEnd } from './time-zone.ts';

describe('digest periods in the CSM’s zone', () => {
  it('closes daily periods at the configured local hour', () => {
    const before = closedDigestPeriod(Date.parse('2026-11-25T06:59:00Z'), 'Europe/Paris', 'daily', 8);
    expect(before).toEqual({ key: 'daily:2026-11-24', closedAt: Date.parse('2026-11-24T07:00:00Z') });
    const after = closedDigestPeriod(Date.parse('2026-11-25T07:00:00Z'), 'Europe/Paris', 'daily', 8);
    expect(after).toEqual({ key: 'daily:2026-11-25', closedAt: Date.parse('2026-11-25T07:00:00Z') });
  });

  it('closes hourly periods on the local hour, also in half-hour zones', () => {
    expect(closedDigestPeriod(Date.parse('2026-11-25T10:45:00Z'), 'Asia/Kolkata', 'hourly', 8)).toEqual({ key: 'hourly:2026-11-25T16', closedAt: Date.parse('2026-11-25T10:30:00Z') });
  });
});

describe('quiet hours', () => {
  const quiet = { start: '22:00', end: '07:00' };
  it('wraps past midnight and ends at the local end time', () => {
    expect(inQuietHours(Date.parse('2026-11-24T21:59:00Z'), 'UTC', quiet)).toBe(false);
    expect(inQuietHours(Date.parse('2026-11-24T22:00:00Z'), 'UTC', quiet)).toBe(true);
    expect(inQuietHours(Date.parse('2026-11-25T06:59:00Z'), 'UTC', quiet)).toBe(true);
    expect(quietHoursEnd(Date.parse('2026-11-25T03:15:20Z'), 'UTC', quiet)).toBe(Date.parse('2026-11-25T07:00:00Z'));
    expect(inQuietHours(Date.parse('2026-11-25T12:00:00Z'), 'UTC', null)).toBe(false);
  });
});
