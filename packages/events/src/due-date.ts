import { DateTime, IANAZone } from 'luxon';

/**
 * Calendar dates that arrive without a time of day (Salesforce's blng__DueDate__c, uploads) and
 * the instants they stand for in a billing entity's IANA time zone.
 *
 * A due date is inclusive: "due 2026-12-01" in America/New_York means payable until the LAST
 * millisecond of that local day, 23:59:59.999 local (`endOfLocalDay`). So `paidAt <= dueAt` is on
 * time everywhere, and lateness starts at `dueAt + 1`. (The next local midnight, exclusive, would
 * make `paidAt <= dueAt` count a payment at 00:00:00.000 the next day as on time.)
 */

/** YYYY-MM-DD, a date that exists (no 2026-02-30). */
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

const zoneName = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** Whether this is an IANA zone name the ICU database knows, e.g. Europe/Paris. "UTC" counts; a bare offset ("+02:00") does not. */
export function isTimeZone(zone: string): boolean {
  return zoneName.test(zone) && IANAZone.isValidZone(zone);
}

function localDay(date: string, zone: string): DateTime {
  if (!isTimeZone(zone)) throw new RangeError(`unknown IANA time zone ${JSON.stringify(zone)}`);
  const day = datePattern.test(date) ? DateTime.fromISO(date, { zone }) : DateTime.invalid('not YYYY-MM-DD');
  if (!day.isValid) throw new RangeError(`expected a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  return day;
}

/** Whether `date` is a YYYY-MM-DD date that exists. */
export function isCalendarDate(date: string): boolean {
  return datePattern.test(date) && DateTime.fromISO(date, { zone: 'UTC' }).isValid;
}

/** Epoch millis of the last instant (23:59:59.999) of `date` in `zone`: when a date-only due date runs out. */
export function endOfLocalDay(date: string, zone: string): number {
  return localDay(date, zone).endOf('day').toMillis();
}

/** Epoch millis of the first instant of `date` in `zone` (midnight, or later where DST skips midnight). */
export function startOfLocalDay(date: string, zone: string): number {
  return localDay(date, zone).startOf('day').toMillis();
}

/** The calendar date (YYYY-MM-DD) that `at` falls on in `zone`. */
export function localDateOf(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toISODate()!;
}

/** What an ISO-8601 text stands for: a calendar date, or an instant (a date-time with Z or an offset). */
export type IsoValue = { kind: 'date'; date: string } | { kind: 'instant'; at: number };

const dateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const zonePattern = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * Classifies an ISO-8601 date or date-time. A date-time without Z or an offset names no instant
 * (10:00 where?), so it is refused rather than read in some server's zone. Throws RangeError
 * with a reason fit for a 400.
 */
export function parseIsoDateOrInstant(text: string): IsoValue {
  const value = text.trim();
  if (datePattern.test(value)) {
    localDay(value, 'UTC');
    return { kind: 'date', date: value };
  }
  if (!dateTimePattern.test(value)) throw new RangeError(`expected an ISO-8601 date (2026-12-01) or date-time with a zone (2026-12-01T10:00:00Z), got ${JSON.stringify(value)}`);
  if (!zonePattern.test(value.slice(10))) throw new RangeError(`date-time ${JSON.stringify(value)} has no time zone: add Z or an offset (+01:00), or send the date alone`);
  const at = DateTime.fromISO(value, { setZone: true });
  if (!at.isValid) throw new RangeError(`not a valid date-time: ${JSON.stringify(value)} (${at.invalidExplanation ?? at.invalidReason})`);
  return { kind: 'instant', at: at.toMillis() };
}

/** The instant an ISO-8601 text names; a date alone is the START of that day in `zone`. Throws RangeError with a reason. */
export function instantOf(text: string, zone: string): number {
  const v = parseIsoDateOrInstant(text);
  return v.kind === 'instant' ? v.at : startOfLocalDay(v.date, zone);
}
