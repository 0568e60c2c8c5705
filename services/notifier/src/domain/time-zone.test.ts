import { describe, expect, it } from 'vitest';
import { localDateOf } from '@invoice-signal/events';
import { closedDigestPeriod, dueDay, inQuietHours, quietHoursEnd } from './time-zone.ts';

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

describe('quiet hours across DST changes (22:00-07:00 ends at 07:00 local on the nights clocks change)', () => {
  const quiet = { start: '22:00', end: '07:00' };
  const iso = (ms: number) => new Date(ms).toISOString();
  it.each([
    // Europe/Paris: summer time starts 2026-03-29 (02:00 CET → 03:00 CEST), ends 2026-10-25 (03:00 CEST → 02:00 CET).
    { zone: 'Europe/Paris', at: '2026-03-28T21:30:00Z', end: '2026-03-29T05:00:00.000Z', night: '22:30 CET, the night summer time starts' },
    { zone: 'Europe/Paris', at: '2026-03-29T00:30:00Z', end: '2026-03-29T05:00:00.000Z', night: '01:30 CET, just before the change' },
    { zone: 'Europe/Paris', at: '2026-03-29T01:30:00Z', end: '2026-03-29T05:00:00.000Z', night: '03:30 CEST, just after the change' },
    { zone: 'Europe/Paris', at: '2026-10-24T20:30:00Z', end: '2026-10-25T06:00:00.000Z', night: '22:30 CEST, the night summer time ends' },
    { zone: 'Europe/Paris', at: '2026-10-25T00:30:00Z', end: '2026-10-25T06:00:00.000Z', night: '02:30 CEST, the first 02:30' },
    { zone: 'Europe/Paris', at: '2026-10-25T01:30:00Z', end: '2026-10-25T06:00:00.000Z', night: '02:30 CET, the second 02:30' },
    // America/New_York: DST starts 2026-03-08 (02:00 EST → 03:00 EDT), ends 2026-11-01 (02:00 EDT → 01:00 EST).
    { zone: 'America/New_York', at: '2026-03-08T03:30:00Z', end: '2026-03-08T11:00:00.000Z', night: '22:30 EST, the night DST starts' },
    { zone: 'America/New_York', at: '2026-11-01T02:30:00Z', end: '2026-11-01T12:00:00.000Z', night: '22:30 EDT, the night DST ends' },
    { zone: 'America/New_York', at: '2026-11-01T05:30:00Z', end: '2026-11-01T12:00:00.000Z', night: '01:30 EDT, the first 01:30' },
    { zone: 'America/New_York', at: '2026-11-01T06:30:00Z', end: '2026-11-01T12:00:00.000Z', night: '01:30 EST, the second 01:30' },
  ])('$zone at $night: quiet until $end (07:00 local)', ({ zone, at, end }) => {
    expect(inQuietHours(Date.parse(at), zone, quiet)).toBe(true);
    const until = quietHoursEnd(Date.parse(at), zone, quiet);
    expect(iso(until)).toBe(end);
    expect(inQuietHours(until - 60_000, zone, quiet)).toBe(true);
    expect(inQuietHours(until, zone, quiet)).toBe(false);
    expect(`${localDateOf(until, zone)}T${new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(until)}`).toMatch(/T07:00$/);
  });

  it('an end time inside the spring-forward gap is shifted forward by the gap', () => {
    // 02:30 does not exist in Paris on 2026-03-29: the window ends at 03:30 CEST.
    expect(iso(quietHoursEnd(Date.parse('2026-03-28T22:00:00Z'), 'Europe/Paris', { start: '22:00', end: '02:30' }))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('closes a daily digest period at the local hour across a DST change', () => {
    // 07:30 CEST on 2026-03-29: the period that last closed is 2026-03-28 08:00 CET (07:00Z), 23 hours back.
    expect(closedDigestPeriod(Date.parse('2026-03-29T05:30:00Z'), 'Europe/Paris', 'daily', 8)).toEqual({ key: 'daily:2026-03-28', closedAt: Date.parse('2026-03-28T07:00:00Z') });
    expect(closedDigestPeriod(Date.parse('2026-03-29T06:00:00Z'), 'Europe/Paris', 'daily', 8)).toEqual({ key: 'daily:2026-03-29', closedAt: Date.parse('2026-03-29T06:00:00Z') });
    // 07:30 EST on 2026-11-01: the last close was 2026-10-31 08:00 EDT (12:00Z), 24.5 hours back.
    expect(closedDigestPeriod(Date.parse('2026-11-01T12:30:00Z'), 'America/New_York', 'daily', 8)).toEqual({ key: 'daily:2026-10-31', closedAt: Date.parse('2026-10-31T12:00:00Z') });
  });
});

describe('due dates on the CSM’s calendar', () => {
  it.each([
    { dueAt: '2026-12-02T07:59:59.999Z', zone: 'America/Los_Angeles', day: '2026-12-01' },
    { dueAt: '2026-12-02T07:59:59.999Z', zone: 'Europe/Paris', day: '2026-12-02' },
    { dueAt: '2026-12-01T22:59:59.999Z', zone: 'Europe/Paris', day: '2026-12-01' },
    { dueAt: '2026-12-01T22:59:59.999Z', zone: 'Asia/Tokyo', day: '2026-12-02' },
    { dueAt: '2026-03-29T21:59:59.999Z', zone: 'Europe/Paris', day: '2026-03-29' },
  ])('$dueAt is $day in $zone', ({ dueAt, zone, day }) => {
    expect(dueDay(Date.parse(dueAt), zone)).toBe(day);
  });
  it('says so when there is no due date', () => expect(dueDay(null, 'UTC')).toBe('no due date'));
});
