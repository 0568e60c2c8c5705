import { IANAZone } from 'luxon';
import { describe, expect, it, vi } from 'vitest';
import { endOfLocalDay, isCalendarDate, isTimeZone, localDateOf, parseIsoDateOrInstant, startOfLocalDay } from './due-date.ts';

describe('endOfLocalDay: a date-only due date runs out at 23:59:59.999 in the billing zone', () => {
  it.each([
    { date: '2026-12-01', zone: 'UTC', iso: '2026-12-01T23:59:59.999Z' },
    { date: '2026-12-01', zone: 'America/New_York', iso: '2026-12-02T04:59:59.999Z' },
    { date: '2026-12-01', zone: 'America/Los_Angeles', iso: '2026-12-02T07:59:59.999Z' },
    { date: '2026-12-01', zone: 'Europe/Paris', iso: '2026-12-01T22:59:59.999Z' },
    { date: '2026-12-01', zone: 'Asia/Tokyo', iso: '2026-12-01T14:59:59.999Z' },
    { date: '2026-12-01', zone: 'Asia/Kolkata', iso: '2026-12-01T18:29:59.999Z' },
    { date: '2026-12-01', zone: 'Pacific/Kiritimati', iso: '2026-12-01T09:59:59.999Z' },
    // DST: the day itself is 23 or 25 hours long, and its end takes the offset in force at its end.
    { date: '2026-03-29', zone: 'Europe/Paris', iso: '2026-03-29T21:59:59.999Z' },
    { date: '2026-03-28', zone: 'Europe/Paris', iso: '2026-03-28T22:59:59.999Z' },
    { date: '2026-10-25', zone: 'Europe/Paris', iso: '2026-10-25T22:59:59.999Z' },
    { date: '2026-10-24', zone: 'Europe/Paris', iso: '2026-10-24T21:59:59.999Z' },
    { date: '2026-03-08', zone: 'America/New_York', iso: '2026-03-09T03:59:59.999Z' },
    { date: '2026-11-01', zone: 'America/New_York', iso: '2026-11-02T04:59:59.999Z' },
    { date: '2026-04-05', zone: 'Australia/Sydney', iso: '2026-04-05T13:59:59.999Z' },
    { date: '2028-02-29', zone: 'America/Los_Angeles', iso: '2028-03-01T07:59:59.999Z' },
  ])('$date in $zone ends at $iso', ({ date, zone, iso }) => {
    const end = endOfLocalDay(date, zone);
    expect(new Date(end).toISOString()).toBe(iso);
    expect(localDateOf(end, zone)).toBe(date);
    expect(localDateOf(end + 1, zone)).not.toBe(date);
  });

  it.each([
    { date: '2026-03-29', zone: 'Europe/Paris', hours: 23 },
    { date: '2026-10-25', zone: 'Europe/Paris', hours: 25 },
    { date: '2026-03-08', zone: 'America/New_York', hours: 23 },
    { date: '2026-11-01', zone: 'America/New_York', hours: 25 },
    { date: '2026-12-01', zone: 'America/New_York', hours: 24 },
  ])('$date in $zone is $hours hours long', ({ date, zone, hours }) => {
    expect(endOfLocalDay(date, zone) + 1 - startOfLocalDay(date, zone)).toBe(hours * 3600_000);
  });

  it('starts a day at local midnight, or at the first instant where DST skips midnight', () => {
    expect(new Date(startOfLocalDay('2026-12-01', 'America/New_York')).toISOString()).toBe('2026-12-01T05:00:00.000Z');
    // Chile moves its clocks at 00:00 → 01:00: 2026-09-06 starts at 01:00 local (-03:00).
    expect(new Date(startOfLocalDay('2026-09-06', 'America/Santiago')).toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });

  it.each(['2026-02-30', '2026-13-01', '2026-12-1', '01/12/2026', ''])('refuses the non-date %j', (date) => {
    expect(isCalendarDate(date)).toBe(false);
    expect(() => endOfLocalDay(date, 'UTC')).toThrow(/calendar date/);
  });

  it.each(['Mars/Olympus', '+02:00', 'EST5EDT6', ''])('refuses the unknown zone %j', (zone) => {
    expect(isTimeZone(zone)).toBe(false);
    expect(() => endOfLocalDay('2026-12-01', zone)).toThrow(/time zone/);
  });

  it('knows real dates and IANA zones', () => {
    for (const date of ['2026-12-01', '2028-02-29']) expect(isCalendarDate(date)).toBe(true);
    for (const zone of ['UTC', 'Europe/Paris', 'America/Los_Angeles', 'Asia/Kolkata', 'Etc/GMT+5', 'PST8PDT']) expect(isTimeZone(zone)).toBe(true);
  });

  it('asks ICU about a zone once, then answers from memory (the risk-scorer asks for every invoice)', () => {
    const asked = vi.spyOn(IANAZone, 'isValidZone');
    try {
      for (let i = 0; i < 100; i++) expect(isTimeZone('Asia/Tokyo')).toBe(true);
      expect(asked.mock.calls.length).toBeLessThanOrEqual(1);
      // An unknown name is not remembered: it is refused every time.
      expect([isTimeZone('Mars/Olympus'), isTimeZone('Mars/Olympus')]).toEqual([false, false]);
    } finally {
      asked.mockRestore();
    }
  });
});

describe('parseIsoDateOrInstant', () => {
  it.each([
    { text: '2026-12-01', expected: { kind: 'date', date: '2026-12-01' } },
    { text: ' 2026-12-01 ', expected: { kind: 'date', date: '2026-12-01' } },
    { text: '2026-12-01T10:00:00Z', expected: { kind: 'instant', at: Date.UTC(2026, 11, 1, 10) } },
    { text: '2026-12-01T10:00Z', expected: { kind: 'instant', at: Date.UTC(2026, 11, 1, 10) } },
    { text: '2026-12-01T10:00:00.250+01:00', expected: { kind: 'instant', at: Date.UTC(2026, 11, 1, 9, 0, 0, 250) } },
    { text: '2026-12-01T10:00:00-0800', expected: { kind: 'instant', at: Date.UTC(2026, 11, 1, 18) } },
  ])('$text → $expected.kind', ({ text, expected }) => {
    expect(parseIsoDateOrInstant(text)).toEqual(expected);
  });

  it.each(['2026-12-01T10:00:00', '2026-12-01T10:00', '2026-12-01T10:00:00.000'])('refuses the zone-less date-time %j', (text) => {
    expect(() => parseIsoDateOrInstant(text)).toThrow(/has no time zone/);
  });

  it.each(['2026-02-30', 'tomorrow', '2026-12-01 10:00:00Z', '1764547200000', '2026-12-01T25:00:00Z'])('refuses %j', (text) => {
    expect(() => parseIsoDateOrInstant(text)).toThrow(RangeError);
  });
});
