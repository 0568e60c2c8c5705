import type { FastifyInstance } from 'fastify';
import { notesOf } from '../adapters/owner-store.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { forbidden, requireAuth, type Authenticator } from './auth.ts';
import { idPattern } from './invoice-routes.ts';
import { mayActForCsm } from './scope.ts';
import { noteSchema, noteView, refusals } from './views.ts';

/** Ownership notes: what moved to a CSM (inherited) or away from them (moved_away) when an account changed owner. */
export async function noteRoutes(app: FastifyInstance, opts: { deps: NotifierDeps; auth: Authenticator }) {
  const { deps } = opts;
  app.addHook('preHandler', requireAuth(opts.auth));
  app.get<{ Params: { csmId: string }; Querystring: { limit: number } }>('/api/csm/:csmId/notes', {
    schema: {
      summary: "A CSM's ownership notes, newest first", tags: ['in-app'], security: [{ bearerAuth: [] }],
      params: { type: 'object', required: ['csmId'], properties: { csmId: { type: 'string', pattern: idPattern } } },
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } },
      response: { 200: { type: 'object', properties: { csmId: { type: 'string' }, items: { type: 'array', items: noteSchema } } }, ...refusals },
    },
  }, async (request, reply) => {
    const { csmId } = request.params;
    if (!(await mayActForCsm(deps.db, request.principal!, csmId))) return forbidden(reply, `${request.principal!.csmId} may not read the notes of ${csmId}`);
    return { csmId, items: (await notesOf(deps.db, csmId, request.query.limit)).map(noteView) };
  });
}
