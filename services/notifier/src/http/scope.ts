import { mayAct, scopedByTeam, type Holder, type Viewer } from '../domain/scope.ts';
import type { Db } from '../adapters/notification-store.ts';
import { ownersOf, teamsOf } from '../adapters/owner-store.ts';

/*
 * Scoping by current ownership: an account belongs to the owner its newest context snapshot
 * names (account_owners); an account the notifier has no snapshot of belongs to whoever holds
 * its notifications. Teams are looked up only for a manager scoped to one.
 */

async function csmHolder(db: Db, viewer: Viewer, csmId: string): Promise<Holder> {
  return { csmId, teams: scopedByTeam(viewer) && viewer.csmId !== csmId ? await teamsOf(db, csmId) : [] };
}

/** A CSM's list, stream and notes: the CSM, an unscoped manager, a manager of a team the CSM owns accounts in, an admin. */
export async function mayActForCsm(db: Db, viewer: Viewer, csmId: string): Promise<boolean> {
  return mayAct(viewer, await csmHolder(db, viewer, csmId));
}

/** An account's invoices: its current owner (or, with no snapshot, a CSM holding its notifications), their manager, an admin. */
export async function mayActForAccount(db: Db, viewer: Viewer, accountId: string, heldBy: string[]): Promise<boolean> {
  const owner = (await ownersOf(db, [accountId])).get(accountId);
  if (owner) return mayAct(viewer, { csmId: owner.csm.id, teams: owner.team ? [owner.team] : [] });
  for (const csmId of new Set(heldBy)) if (mayAct(viewer, await csmHolder(db, viewer, csmId))) return true;
  return false;
}
