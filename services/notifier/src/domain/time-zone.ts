/** Wall-clock arithmetic in a CSM's IANA time zone, with Intl only (no I/O). */

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  return f;
}

export function localTime(at: number, zone: string): LocalTime {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return { year: +parts.year, month: +parts.month, day: +parts.day, hour: +parts.hour, minute: +parts.minute, second: +parts.second };
}

const pad = (n: number) => String(n).padStart(2, '0');
export const localDate = (t: LocalTime) => `${t.year}-${pad(t.month)}-${pad(t.day)}`;

/** Parses "HH:MM" to minutes after midnight. */
export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export interface QuietHours {
  start: string;
  end: string;
}

/** Whether `at` falls in [start, end) local time; a window may wrap past midnight (22:00-07:00). */
export function inQuietHours(at: number, zone: string, quiet: QuietHours | null): boolean {
  if (!quiet) return false;
  const t = localTime(at, zone);
  const now = t.hour * 60 + t.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** The first instant at or after `at` outside quiet hours (minute precision). */
export function quietHoursEnd(at: number, zone: string, quiet: QuietHours | null): number {
  if (!inQuietHours(at, zone, quiet)) return at;
  const t = localTime(at, zone);
  const now = t.hour * 60 + t.minute;
  const wait = (minutesOf(quiet!.end) - now + 1440) % 1440;
  return at - t.second * 1000 - (at % 1000) + wait * 60_000;
}

export type DigestFrequency = 'hourly' | 'daily';

/**
 * The digest period that has most recently closed at `at`, in the CSM's zone: hourly periods
 * close on each local hour; daily ones at `hour` local time. The key names the period uniquely
 * per CSM, which is what makes a digest go out once.
 */
export function closedDigestPeriod(at: number, zone: string, frequency: DigestFrequency, hour: number): { key: string; closedAt: number } {
  const t = localTime(at, zone);
  const sinceHour = (t.minute * 60 + t.second) * 1000 + (at % 1000);
  const hourStart = at - sinceHour;
  if (frequency === 'hourly') return { key: `hourly:${localDate(t)}T${pad(t.hour)}`, closedAt: hourStart };
  const hoursBack = (t.hour - hour + 24) % 24;
  const closedAt = hourStart - hoursBack * 3600_000;
  return { key: `daily:${localDate(localTime(closedAt, zone))}`, closedAt };
}

/** Whether the runtime knows this IANA zone (e.g. Europe/Paris). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
