import { DateTime } from 'luxon';
import { isTimeZone, localDateOf } from '@invoice-signal/events';

/**
 * Wall-clock questions in a CSM's IANA time zone, answered by luxon (the ICU time-zone data), not
 * by adding minutes to instants: on the nights clocks change, local 07:00 is 7 or 9 hours after
 * local 22:00, not always 9.
 */

export { isTimeZone };

/** The calendar date (YYYY-MM-DD) a due instant falls on where the CSM is. */
export const dueDay = (dueAt: number | null, zone: string): string => (dueAt === null ? 'no due date' : localDateOf(dueAt, zone));

/** Parses "HH:MM" to hours and minutes. */
const clock = (hhmm: string) => ({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)) });

export interface QuietHours {
  start: string;
  end: string;
}

/** Whether `at` falls in [start, end) local time; a window may wrap past midnight (22:00-07:00). */
export function inQuietHours(at: number, zone: string, quiet: QuietHours | null): boolean {
  if (!quiet) return false;
  const local = DateTime.fromMillis(at, { zone });
  const now = local.hour * 60 + local.minute;
  const start = clock(quiet.start);
  const end = clock(quiet.end);
  const [s, e] = [start.hour * 60 + start.minute, end.hour * 60 + end.minute];
  if (s === e) return false;
  return s < e ? now >= s && now < e : now >= s || now < e;
}

/**
 * The first instant at or after `at` outside quiet hours: the next local `end` time on the wall
 * clock (today's if still ahead, else tomorrow's). Where `end` does not exist that day (inside a
 * spring-forward gap) it is shifted forward by the gap (02:30 → 03:30), as luxon does.
 */
export function quietHoursEnd(at: number, zone: string, quiet: QuietHours | null): number {
  if (!quiet || !inQuietHours(at, zone, quiet)) return at;
  const local = DateTime.fromMillis(at, { zone });
  const today = local.set({ ...clock(quiet.end), second: 0, millisecond: 0 });
  return (today > local ? today : today.plus({ days: 1 }).set(clock(quiet.end))).toMillis();
}

export type DigestFrequency = 'hourly' | 'daily';

/**
 * The digest period that has most recently closed at `at`, in the CSM's zone: hourly periods
 * close on each local hour; daily ones at `hour` local time. The key names the period uniquely
 * per CSM, which is what makes a digest go out once.
 */
export function closedDigestPeriod(at: number, zone: string, frequency: DigestFrequency, hour: number): { key: string; closedAt: number } {
  const local = DateTime.fromMillis(at, { zone });
  if (frequency === 'hourly') {
    const start = local.startOf('hour');
    return { key: `hourly:${start.toFormat("yyyy-MM-dd'T'HH")}`, closedAt: start.toMillis() };
  }
  const today = local.set({ hour, minute: 0, second: 0, millisecond: 0 });
  const closed = today <= local ? today : local.minus({ days: 1 }).set({ hour, minute: 0, second: 0, millisecond: 0 });
  return { key: `daily:${closed.toISODate()}`, closedAt: closed.toMillis() };
}
