import type { FastifyInstance } from 'fastify';
import { runtimeProblem, sendProblem } from '@invoice-signal/runtime';
import { preferencesPatchSchema } from '../domain/preferences.ts';
import { isTimeZone } from '../domain/time-zone.ts';
import { effectivePreferences, saveOverrides, storedOverrides } from '../adapters/preference-store.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { forbidden, requireAuth, type Authenticator } from './auth.ts';
import { idPattern } from './invoice-routes.ts';
import { mayActForCsm } from './scope.ts';
import { bodyRefusals, refusals } from './views.ts';

const view = { type: 'object', properties: { csmId: { type: 'string' }, effective: { type: 'object', additionalProperties: true }, overrides: { type: 'object', additionalProperties: true } } };

/**
 * NFR-2: per-CSM notification preferences over the service's defaults. Scoped like the CSM's
 * list and stream: the CSM, a manager of a team the CSM owns accounts in, an unscoped manager, an admin.
 */
export async function preferenceRoutes(app: FastifyInstance, opts: { deps: NotifierDeps; auth: Authenticator }) {
  const { deps } = opts;
  app.addHook('preHandler', requireAuth(opts.auth));
  const params = { type: 'object', required: ['csmId'], properties: { csmId: { type: 'string', pattern: idPattern } } };
  const read = async (csmId: string) => ({ csmId, effective: await effectivePreferences(deps.db, csmId, deps.defaults), overrides: await storedOverrides(deps.db, csmId) });

  app.get<{ Params: { csmId: string } }>('/api/csm/:csmId/preferences', {
    schema: { summary: 'Effective notification preferences (defaults + overrides)', tags: ['preferences'], security: [{ bearerAuth: [] }], params, response: { 200: view, ...refusals } },
  }, async (request, reply) => {
    if (!(await mayActForCsm(deps.db, request.principal!, request.params.csmId))) return forbidden(reply, `${request.principal!.csmId} may not read the preferences of ${request.params.csmId}`);
    return read(request.params.csmId);
  });

  app.put<{ Params: { csmId: string }; Body: Record<string, unknown> }>('/api/csm/:csmId/preferences', {
    schema: { summary: 'Changes preferences; fields left out keep their value, null clears quietHours/timeZone', tags: ['preferences'], security: [{ bearerAuth: [] }], params, body: preferencesPatchSchema, response: { 200: view, ...refusals, ...bodyRefusals } },
  }, async (request, reply) => {
    const { csmId } = request.params;
    if (!(await mayActForCsm(deps.db, request.principal!, csmId))) return forbidden(reply, `${request.principal!.csmId} may not change the preferences of ${csmId}`);
    const zone = request.body.timeZone;
    if (typeof zone === 'string' && !isTimeZone(zone)) {
      return sendProblem(reply, runtimeProblem('FST_ERR_VALIDATION', `body/timeZone "${zone}" is not an IANA time zone`));
    }
    await saveOverrides(deps.db, csmId, request.body, deps.now());
    return read(csmId);
  });
}
