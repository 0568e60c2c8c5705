import type { Preferences } from '../domain/preferences.ts';
import { isTimeZone } from '../domain/time-zone.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { csmRef } from './notification-store.ts';
import { effectivePreferences } from './preference-store.ts';

/** The zone a CSM reads times in: their preference, else their directory entry, else DEFAULT_TIME_ZONE. */
export async function zoneOf(deps: Pick<NotifierDeps, 'db' | 'defaults' | 'defaultZone'>, csmId: string, prefs?: Preferences): Promise<string> {
  const zone = (prefs ?? (await effectivePreferences(deps.db, csmId, deps.defaults))).timeZone ?? (await csmRef(deps.db, csmId))?.timeZone;
  return zone && isTimeZone(zone) ? zone : deps.defaultZone;
}
