import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { problem, sendProblem } from '@invoice-signal/runtime';
import { zoneOf } from '../adapters/csm-zone.ts';
import { byId, withHistory } from '../adapters/notification-store.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { forbidden, requireAuth, type Authenticator } from './auth.ts';
import { noteById, ownersOf } from '../adapters/owner-store.ts';
import type { LiveEvent } from '../domain/notification.ts';
import { createStreamSlots } from '../domain/stream-slots.ts';
import { notifierMetrics } from '../metrics.ts';
import { idPattern } from './invoice-routes.ts';
import { mayActForCsm } from './scope.ts';
import { notificationView, noteView, refusals } from './views.ts';
import { notifierProblem } from './errors.ts';

/**
 * A slot frees only when one of the principal's own streams closes, which nobody can predict: the
 * client is told to come back after a while rather than at once.
 */
const STREAM_RETRY_AFTER_SECONDS = 30;

/**
 * Server-Sent Events per CSM: `created`, `updated`, `acknowledged`, `removed` with the
 * notification as data, `note` with an ownership note. Authenticated with the same bearer token (the inbox uses fetch
 * streaming, so the token never goes into a URL). A principal holds at most `maxPerUser` open
 * streams on this instance, whichever CSMs they follow.
 */
export async function streamRoute(app: FastifyInstance, opts: { deps: NotifierDeps; auth: Authenticator; streamMaxPerUser: number; heartbeatMs?: number }) {
  const { deps } = opts;
  const open = new Set<ServerResponse>();
  const slots = createStreamSlots(opts.streamMaxPerUser);
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.addHook('preHandler', requireAuth(opts.auth));
  app.get<{ Params: { csmId: string } }>('/api/csm/:csmId/stream', {
    schema: {
      summary: 'Live notifications of a CSM (text/event-stream)', tags: ['in-app'], security: [{ bearerAuth: [] }],
      params: { type: 'object', required: ['csmId'], properties: { csmId: { type: 'string', pattern: idPattern } } },
      response: {
        200: { description: 'events: ready, then created, updated, acknowledged, removed (data: the notification) and note (an ownership note); a comment every 15 s', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        ...refusals,
        429: problem('the principal already holds STREAM_MAX_PER_USER open streams here, or too many failed authentications from this address lately '
          + '(Retry-After)',
          ['NTF_TOO_MANY_STREAMS', 'HTTP_TOO_MANY_FAILURES']),
      },
    },
  }, async (request, reply) => {
    const { csmId } = request.params;
    if (!(await mayActForCsm(deps.db, request.principal!, csmId))) return forbidden(reply, `${request.principal!.csmId} may not follow the notifications of ${csmId}`);
    const zone = await zoneOf(deps, request.principal!.csmId);
    // The client left while we were checking: its 'close' has been emitted already and would never free a slot.
    if (reply.raw.destroyed) return reply.hijack();
    const release = slots.take(request.principal!.csmId);
    if (!release) return tooManyStreams(reply, request.principal!.csmId, opts.streamMaxPerUser);
    notifierMetrics.streamsOpen.inc();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ csmId })}\n\n`);
    open.add(res);
    // Events of one stream are written in order even though loading each is async.
    let chain = Promise.resolve();
    const unsubscribe = deps.live.subscribe(csmId, (e) => {
      chain = chain.then(async () => {
        const frame = await frameFor(deps, csmId, e, zone);
        if (frame) res.write(frame);
      }).catch((error) => request.log.warn({ err: error }, 'live event not delivered'));
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs ?? 15_000);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
      release();
      notifierMetrics.streamsOpen.dec();
    });
  });
}

function tooManyStreams(reply: FastifyReply, principal: string, max: number) {
  const detail = `${principal} already has ${max} open streams (STREAM_MAX_PER_USER); close one or retry later`;
  return sendProblem(reply, notifierProblem('NTF_TOO_MANY_STREAMS', detail, { retryAfterSeconds: STREAM_RETRY_AFTER_SECONDS }));
}

/**
 * The SSE frame of a live event, or none when the CSM no longer sees the notification: it moved
 * to another CSM, or its account did (an event queued before a change of owner is not leaked).
 */
async function frameFor(deps: NotifierDeps, csmId: string, e: LiveEvent, zone: string): Promise<string | null> {
  const frame = (id: string, data: unknown) => `id: ${id}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`;
  if (e.type === 'removed') return frame(`${e.notificationId}:0`, { id: e.notificationId });
  if (e.type === 'note') {
    const note = await noteById(deps.db, e.notificationId);
    return note && note.csmId === csmId ? frame(note.id, noteView(note)) : null;
  }
  const n = await byId(deps.db, e.notificationId);
  if (!n) return frame(`${e.notificationId}:0`, { id: e.notificationId });
  const owner = (await ownersOf(deps.db, [n.customerId])).get(n.customerId);
  if (n.csmId !== csmId || (owner && owner.csm.id !== csmId)) return null;
  const [withAcks] = await withHistory(deps.db, [n]);
  return frame(`${n.id}:${n.version}`, notificationView(withAcks, zone));
}
