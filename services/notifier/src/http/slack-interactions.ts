import type { FastifyInstance } from 'fastify';
import { bodyTooLarge, jsonResponse, problem, sendProblem, tooManyFailuresProblem, unsupportedMedia } from '@invoice-signal/runtime';
import { lockInvoices } from '../adapters/batch-store.ts';
import { verifySlackSignature } from '../domain/slack-signature.ts';
import { acknowledge } from '../adapters/notification-store.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { ackLabels, slackAckAction, type AckInput } from '../domain/acknowledgment.ts';
import { notifierProblem } from './errors.ts';

interface BlockActions {
  type: string;
  user?: { id?: string };
  actions?: Array<{ action_id?: string; value?: string }>;
}

/**
 * Slack's interactivity endpoint: the signature over the raw body is checked before anything is
 * parsed; the action buttons (`ack:<action>`) record what the Slack user did about their own
 * notifications (the plain Acknowledge of older messages, that they saw them). Slack expects 200
 * quickly, so refusals of a well-signed request are 200 with text.
 */
export async function slackInteractions(app: FastifyInstance, opts: { deps: NotifierDeps; signingSecret: string | undefined }) {
  const { deps } = opts;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));

  app.post<{ Body: string }>('/api/slack/interactions', {
    schema: {
      summary: 'Slack interactivity (signed by Slack)', tags: ['slack'], security: [{ slackSignature: [] }],
      description: 'Slack expects 200 quickly: a well-signed request that is not ours to act on is 200 with an ephemeral text.',
      headers: { type: 'object', properties: { 'x-slack-signature': { type: 'string' }, 'x-slack-request-timestamp': { type: 'string' } } },
      body: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'string', description: 'payload=<Slack block_actions JSON>' } } } },
      response: {
        200: jsonResponse('acknowledged, ignored, or not the sender\'s to acknowledge', {
          type: 'object', properties: { ok: { type: 'boolean' }, ignored: { type: 'boolean' }, response_type: { type: 'string', const: 'ephemeral' }, text: { type: 'string' } },
        }),
        400: problem('a well-signed body without a JSON payload field', ['NTF_SLACK_PAYLOAD']),
        401: problem('no Slack signature, a wrong one, or too old a timestamp', ['NTF_SLACK_SIGNATURE']),
        413: problem('the body is over 64 KiB', bodyTooLarge),
        415: problem('the body is not application/x-www-form-urlencoded', unsupportedMedia),
        429: tooManyFailuresProblem,
        503: problem('Slack is not configured (SLACK_SIGNING_SECRET)', ['NTF_SLACK_OFF']),
      },
    },
  }, async (request, reply) => {
    if (!opts.signingSecret) return sendProblem(reply, notifierProblem('NTF_SLACK_OFF', 'Slack is not configured (SLACK_SIGNING_SECRET)'));
    const raw = typeof request.body === 'string' ? request.body : '';
    const verdict = verifySlackSignature({
      secret: opts.signingSecret, rawBody: raw, nowSeconds: Math.floor(Date.now() / 1000),
      signature: request.headers['x-slack-signature'] as string | undefined, timestamp: request.headers['x-slack-request-timestamp'] as string | undefined,
    });
    if (!verdict.ok) return sendProblem(reply, notifierProblem('NTF_SLACK_SIGNATURE', verdict.reason));
    let payload: BlockActions;
    try {
      payload = JSON.parse(new URLSearchParams(raw).get('payload') ?? '');
    } catch {
      return sendProblem(reply, notifierProblem('NTF_SLACK_PAYLOAD', 'body must be form-encoded with a JSON "payload" field'));
    }
    // A signed payload can still have any JSON shape: anything but strings where we expect them is ignored.
    // NUL cannot be stored in Postgres text, so no id or user id containing one can match.
    const text = (v: unknown) => (typeof v === 'string' && !v.includes('\u0000') ? v : '');
    const actions: unknown[] = Array.isArray(payload?.actions) ? payload.actions : [];
    const action = actions.map((a) => a as { action_id?: unknown; value?: unknown } | null).find((a) => a?.action_id === 'acknowledge' || slackAckAction(text(a?.action_id)) !== null);
    if (payload?.type !== 'block_actions' || !action) return reply.send({ ok: true, ignored: true });
    // ack:<action> records what the CSM did (and replaces an earlier one); the plain Acknowledge of older messages records no action.
    const chosen = slackAckAction(text(action.action_id));
    const ack: AckInput = { actionTaken: chosen, note: null };
    const ids = text(action.value).split(',').filter(Boolean).slice(0, 100);
    const slackUser = text(payload.user?.id);
    const csmId: string = (await deps.db('csm_directory').where({ slack_user_id: slackUser }).first())?.csm_id ?? slackUser;
    const { owned, changed } = await deps.db.transaction(async (trx) => {
      // Invoice locks first, in the consumer's order, so this never deadlocks with a batch; ownership is read under them.
      await lockInvoices(trx, await trx('notifications').whereIn('id', ids).pluck('invoice_id'));
      // Only the holder (by Slack user id) of each notification, while its account is still theirs, may acknowledge it from Slack.
      const mine: string[] = await trx('notifications').join('csm_directory', 'csm_directory.csm_id', 'notifications.csm_id')
        .whereIn('notifications.id', ids).where('csm_directory.slack_user_id', slackUser)
        .whereNotExists((q) => q.select(trx.raw('1')).from('account_owners as o').whereRaw('o.account_id = notifications.customer_id and o.csm_id <> notifications.csm_id'))
        .pluck('notifications.id');
      return { owned: mine, changed: mine.length ? await acknowledge(trx, mine, csmId, ack, deps.now(), chosen !== null) : [] };
    });
    if (owned.length === 0) return reply.send({ response_type: 'ephemeral', text: 'These notifications are not yours to acknowledge.' });
    if (changed.length) await deps.live.announce(deps.db, changed);
    deps.kick();
    const what = chosen ? ` as "${ackLabels[chosen]}"` : '';
    return reply.send({ response_type: 'ephemeral', text: `Acknowledged ${owned.length} notification(s)${what}.` });
  });
}
