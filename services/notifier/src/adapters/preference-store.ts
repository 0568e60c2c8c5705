import { mergePreferences, type Preferences } from '../domain/preferences.ts';
import type { Db } from './notification-store.ts';

/** A CSM's stored overrides (only what they changed); effective = defaults + overrides. */
export async function storedOverrides(db: Db, csmId: string): Promise<Record<string, unknown>> {
  const row = await db('preferences').where({ csm_id: csmId }).first();
  return row?.prefs ?? {};
}

export async function effectivePreferences(db: Db, csmId: string, defaults: Preferences): Promise<Preferences> {
  return mergePreferences(defaults, await storedOverrides(db, csmId));
}

/** Effective preferences of several CSMs in one query (defaults for a CSM who changed nothing). */
export async function preferencesOf(db: Db, csmIds: string[], defaults: Preferences): Promise<Map<string, Preferences>> {
  const rows = await db('preferences').select('csm_id', 'prefs').whereRaw('csm_id = any(?::text[])', [csmIds]);
  const stored = new Map(rows.map((r) => [r.csm_id as string, r.prefs]));
  return new Map(csmIds.map((id) => [id, mergePreferences(defaults, stored.get(id) ?? {})]));
}

export async function saveOverrides(db: Db, csmId: string, patch: Record<string, unknown>, now: number): Promise<void> {
  await db.transaction(async (trx) => {
    const row = await trx('preferences').where({ csm_id: csmId }).forUpdate().first();
    const merged = mergePreferences(row?.prefs ?? {}, patch);
    await trx('preferences').insert({ csm_id: csmId, prefs: JSON.stringify(merged), updated_at: now }).onConflict('csm_id').merge();
  });
}
