import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { zoneOf } from '../adapters/csm-zone.ts';
import { byId } from '../adapters/notification-store.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { canActFor, forbidden, requireAuth, type Authenticator } from './auth.ts';
import { idPattern } from './invoice-routes.ts';
import { notificationView } from './views.ts';

/**
 * Server-Sent Events per CSM: `created`, `updated`, `acknowledged`, `removed` with the
 * notification as data. Authenticated with the same bearer token (the inbox uses fetch
 * streaming, so the token never goes into a URL).
 */
export async function streamRoute(app: FastifyInstance, opts: { deps: NotifierDeps; auth: Authenticator; heartbeatMs?: number }) {
  const { deps } = opts;
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.addHook('preHandler', requireAuth(opts.auth));
  app.get<{ Params: { csmId: string } }>('/api/csm/:csmId/stream', {
    schema: {
      summary: 'Live notifications of a CSM (text/event-stream)', tags: ['in-app'], security: [{ bearerAuth: [] }],
      params: { type: 'object', required: ['csmId'], properties: { csmId: { type: 'string', pattern: idPattern } } },
    },
  }, async (request, reply) => {
    const { csmId } = request.params;
    if (!canActFor(request.principal, csmId)) return forbidden(reply, `${request.principal!.csmId} may not follow the notifications of ${csmId}`);
    const zone = await zoneOf(deps, request.principal!.csmId);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ csmId })}\n\n`);
    open.add(res);
    // Events of one stream are written in order even though loading each is async.
    let chain = Promise.resolve();
    const unsubscribe = deps.live.subscribe(csmId, (e) => {
      chain = chain.then(async () => {
        const n = e.type === 'removed' ? null : await byId(deps.db, e.notificationId);
        const data = n ? notificationView(n, zone) : { id: e.notificationId };
        res.write(`id: ${e.notificationId}:${n?.version ?? 0}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
      }).catch((error) => request.log.warn({ err: error }, 'live event not delivered'));
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs ?? 15_000);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
    });
  });
}
