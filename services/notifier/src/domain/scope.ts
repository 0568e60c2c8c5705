/** Who may see and act on what (PRD: a CSM sees their own accounts; managers all, or their team's). */

export type Role = 'csm' | 'manager' | 'admin';

export interface Viewer {
  csmId: string;
  role: Role;
  /** A manager's team (token claim `team`): they see only its accounts. Null: every team. */
  team: string | null;
}

/** Whose something is now: an account's current owner (and its team), or a CSM (and the teams they own accounts in). */
export interface Holder {
  csmId: string;
  teams: string[];
}

export function mayAct(viewer: Viewer, holder: Holder): boolean {
  if (viewer.role === 'admin' || viewer.csmId === holder.csmId) return true;
  if (viewer.role !== 'manager') return false;
  return viewer.team === null || holder.teams.includes(viewer.team);
}

/** Whether the viewer's scope depends on teams (only then are they looked up). */
export const scopedByTeam = (viewer: Viewer) => viewer.role === 'manager' && viewer.team !== null;
