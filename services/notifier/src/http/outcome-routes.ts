import type { FastifyInstance } from 'fastify';
import { isCalendarDate } from '@invoice-signal/events';
import { sendProblem } from '@invoice-signal/runtime';
import type { OutcomeScope } from '../adapters/outcome-store.ts';
import { outcomesFor, type OutcomeOptions } from '../adapters/outcome-report.ts';
import { zoneOf } from '../adapters/csm-zone.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { forbidden, requireAuth, type Authenticator, type Principal } from './auth.ts';
import { idPattern } from './invoice-routes.ts';
import { mayActForCsm } from './scope.ts';
import { refusals } from './views.ts';
import { outcomesSchema } from './outcome-schema.ts';
import { notifierProblem } from './errors.ts';

export type { OutcomeOptions };

const dayMs = 86_400_000;
const dayPattern = '^\\d{4}-\\d{2}-\\d{2}$';

type Query = { from?: string; to?: string; csmId?: string; team?: string };

/**
 * Whose invoices the viewer may measure: a CSM their own; a manager scoped to a team that team
 * (and its CSMs); an unscoped manager or an admin anyone. A string is the refusal.
 */
async function scopeOf(deps: NotifierDeps, p: Principal, q: Query): Promise<Pick<OutcomeScope, 'csmId' | 'team'> | string> {
  if (p.role === 'csm') {
    if ((q.csmId && q.csmId !== p.csmId) || q.team) return `${p.csmId} may only see their own outcomes`;
    return { csmId: p.csmId, team: null };
  }
  if (q.csmId && !(await mayActForCsm(deps.db, p, q.csmId))) return `${p.csmId} may not see the outcomes of ${q.csmId}`;
  if (p.role === 'manager' && p.team !== null) {
    if (q.team && q.team !== p.team) return `${p.csmId} manages team ${p.team}, not ${q.team}`;
    return { csmId: q.csmId ?? null, team: p.team };
  }
  return { csmId: q.csmId ?? null, team: q.team ?? null };
}

/** from (inclusive) and to (exclusive) as UTC days; by default the last 12 weeks up to today. */
function windowOf(q: Query, now: number): { from: number; to: number } | { field: string; detail: string } {
  // The one date checker: Date.parse would roll 2026-02-30 over into March.
  const dayAt = (text: string) => (isCalendarDate(text) ? Date.parse(`${text}T00:00:00Z`) : Number.NaN);
  const to = q.to ? dayAt(q.to) : Math.floor(now / dayMs) * dayMs + dayMs;
  const from = q.from ? dayAt(q.from) : to - 84 * dayMs;
  if (Number.isNaN(to)) return { field: 'querystring/to', detail: `querystring/to "${q.to}" is not a date` };
  if (Number.isNaN(from)) return { field: 'querystring/from', detail: `querystring/from "${q.from}" is not a date` };
  if (from >= to) return { field: 'querystring/from', detail: 'querystring/from must be before querystring/to' };
  if (to - from > 366 * dayMs) return { field: 'querystring/from', detail: 'querystring/from and querystring/to may be at most 366 days apart' };
  return { from, to };
}

export async function outcomeRoutes(app: FastifyInstance, opts: { deps: NotifierDeps; auth: Authenticator; outcomes: OutcomeOptions }) {
  const { deps } = opts;
  app.addHook('preHandler', requireAuth(opts.auth));
  app.get<{ Querystring: Query }>('/api/outcomes', {
    schema: {
      summary: "The PRD's success metrics: delivery time, proactive outreach rate, on-time payment against the baseline",
      description: 'Managers and admins (a team manager: their team); a CSM sees their own. Delivery and outreach count invoices notified in [from, to); on-time payment '
        + 'those due in it (and due by now); the baseline is the same accounts\' invoices issued before go-live. Daily and weekly (Monday) series, UTC. Definitions: the notifier README.',
      tags: ['outcomes'], security: [{ bearerAuth: [] }],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          from: { type: 'string', pattern: dayPattern, description: 'first day (UTC, inclusive); default 12 weeks before to' },
          to: { type: 'string', pattern: dayPattern, description: 'day after the last (UTC, exclusive); default tomorrow' },
          csmId: { type: 'string', pattern: idPattern }, team: { type: 'string', pattern: idPattern },
        },
      },
      response: { 200: outcomesSchema, ...refusals },
    },
  }, async (request, reply) => {
    const principal = request.principal!;
    const window = windowOf(request.query, deps.now());
    if ('field' in window) return sendProblem(reply, notifierProblem('NTF_INVALID_WINDOW', window.detail, { field: window.field }));
    const scope = await scopeOf(deps, principal, request.query);
    if (typeof scope === 'string') return forbidden(reply, scope);
    return outcomesFor(deps, { ...window, ...scope }, opts.outcomes, await zoneOf(deps, principal.csmId));
  });
}
