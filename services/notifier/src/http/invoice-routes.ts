import type { FastifyInstance } from 'fastify';
import { sendProblem } from '@invoice-signal/runtime';
import { lockInvoices } from '../adapters/batch-store.ts';
import { zoneOf } from '../adapters/csm-zone.ts';
import { acknowledge, notificationsOfInvoice, ofCustomer, pendingOf, withHistory, type PendingSort, type SettledFilter } from '../adapters/notification-store.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { forbidden, requireAuth, type Authenticator } from './auth.ts';
import { mayActForAccount, mayActForCsm } from './scope.ts';
import { problem } from '@invoice-signal/runtime';
import { ackActions, parseAcknowledgment } from '../domain/acknowledgment.ts';
import { bodyRefusals, notificationProperties, notificationSchema, notificationView, refusals } from './views.ts';
import { notifierProblem } from './errors.ts';

export const idPattern = '^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,199}$';
const unknownInvoice = { 404: problem('no notification for the invoice', ['NTF_UNKNOWN_INVOICE']) };
const security = [{ bearerAuth: [] }];

/** The PRD's CSM API: pending list, acknowledgement, an account's invoices. */
export async function invoiceRoutes(app: FastifyInstance, opts: { deps: NotifierDeps; auth: Authenticator }) {
  const { deps } = opts;
  app.addHook('preHandler', requireAuth(opts.auth));

  app.get<{ Params: { csmId: string }; Querystring: { sort: PendingSort; limit: number; offset: number; settled: SettledFilter } }>('/api/invoices/csm/:csmId/pending', {
    schema: {
      summary: "A CSM's unacknowledged notifications, paged",
      description: 'Settled invoices (paid, voided, uncollectible) are left out by default, except the alerts that call for action (disputed, written_off); settled=include lists them too, settled=only lists just them (what exclude leaves out).',
      tags: ['invoices'], security,
      params: { type: 'object', required: ['csmId'], properties: { csmId: { type: 'string', pattern: idPattern } } },
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { sort: { type: 'string', enum: ['dueDate', 'risk', 'recent'], default: 'dueDate', description: 'recent: the latest change first' }, limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, offset: { type: 'integer', minimum: 0, maximum: 100000, default: 0 },
          settled: { type: 'string', enum: ['exclude', 'include', 'only'], default: 'exclude', description: 'include: also notifications of paid, voided and uncollectible invoices; only: just those (what exclude leaves out)' },
        },
      },
      response: { 200: { type: 'object', properties: { csmId: { type: 'string' }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' }, sort: { type: 'string' }, settled: { type: 'string' }, items: { type: 'array', items: notificationSchema } } }, ...refusals },
    },
  }, async (request, reply) => {
    const { csmId } = request.params;
    if (!(await mayActForCsm(deps.db, request.principal!, csmId))) return forbidden(reply, `${request.principal!.csmId} may not read the notifications of ${csmId}`);
    const { sort, limit, offset, settled } = request.query;
    const page = await pendingOf(deps.db, csmId, { sort, limit, offset, settled });
    const zone = await zoneOf(deps, request.principal!.csmId);
    return { csmId, total: page.total, limit, offset, sort, settled, items: (await withHistory(deps.db, page.items)).map((n) => notificationView(n, zone)) };
  });

  app.put<{ Params: { invoiceId: string }; Body: { actionTaken?: string; note?: string } | undefined }>('/api/invoices/:invoiceId/acknowledge', {
    schema: {
      summary: 'Acknowledges every notification of an invoice with what the CSM did',
      description: `actionTaken is one of ${ackActions.join(', ')} (other needs a note). Recorded with who and when; a different action later replaces the current one and both stay in acknowledgmentHistory. `
        + 'The same acknowledgment again changes nothing; without a body the invoice is acknowledged without an action (never counted as outreach). '
        + 'The old free text ("called the customer") is kept as other with the text as note; a code not in the set is refused (400 naming body/actionTaken).',
      tags: ['invoices'], security,
      params: { type: 'object', required: ['invoiceId'], properties: { invoiceId: { type: 'string', pattern: idPattern } } },
      body: {
        type: ['object', 'null'], additionalProperties: false,
        properties: { actionTaken: { type: 'string', minLength: 1, maxLength: 500, examples: [...ackActions] }, note: { type: 'string', maxLength: 2000 } },
      },
      response: { 200: { type: 'object', properties: { invoiceId: { type: 'string' }, acknowledged: { type: 'array', items: notificationSchema } } }, ...refusals, ...unknownInvoice, ...bodyRefusals },
    },
  }, async (request, reply) => {
    const { invoiceId } = request.params;
    const principal = request.principal!;
    const parsed = parseAcknowledgment(request.body);
    if (!('ok' in parsed)) return sendProblem(reply, notifierProblem('NTF_INVALID_ACTION', parsed.detail));
    const result = await deps.db.transaction(async (trx) => {
      // The invoice's lock before its rows, as the consumer's batches take them: the two never deadlock.
      await lockInvoices(trx, [invoiceId]);
      const all = await notificationsOfInvoice(trx, invoiceId, true);
      if (all.length === 0) return 'unknown' as const;
      // The account's current owner acknowledges (a previous owner no longer can).
      if (!(await mayActForAccount(trx, principal, all[0].customerId, all.map((n) => n.csmId)))) return { forbidden: true };
      const changed = await acknowledge(trx, all.map((n) => n.id), principal.csmId, parsed.ok, deps.now());
      return { changed, all: await withHistory(trx, await notificationsOfInvoice(trx, invoiceId)) };
    });
    if (result === 'unknown') return sendProblem(reply, notifierProblem('NTF_UNKNOWN_INVOICE', `no notification for invoice ${invoiceId}`));
    if ('forbidden' in result) return forbidden(reply, `invoice ${invoiceId} belongs to another CSM's account; ${principal.csmId} may not acknowledge it`);
    if (result.changed.length) await deps.live.announce(deps.db, result.changed);
    deps.kick();
    const zone = await zoneOf(deps, principal.csmId);
    return { invoiceId, acknowledged: result.all.map((n) => notificationView(n, zone)) };
  });

  app.get<{ Params: { invoiceId: string } }>('/api/invoices/:invoiceId', {
    schema: {
      summary: "An invoice's notifications (its account's current owner, their manager or an admin)", tags: ['invoices'], security,
      params: { type: 'object', required: ['invoiceId'], properties: { invoiceId: { type: 'string', pattern: idPattern } } },
      response: { 200: { type: 'object', properties: { invoiceId: { type: 'string' }, notifications: { type: 'array', items: notificationSchema } } }, ...refusals, ...unknownInvoice },
    },
  }, async (request, reply) => {
    const { invoiceId } = request.params;
    const all = await notificationsOfInvoice(deps.db, invoiceId);
    if (all.length === 0) return sendProblem(reply, notifierProblem('NTF_UNKNOWN_INVOICE', `no notification for invoice ${invoiceId}`));
    if (!(await mayActForAccount(deps.db, request.principal!, all[0].customerId, all.map((n) => n.csmId)))) return forbidden(reply, `invoice ${invoiceId} belongs to another CSM's account`);
    const zone = await zoneOf(deps, request.principal!.csmId);
    return { invoiceId, notifications: (await withHistory(deps.db, all)).map((n) => notificationView(n, zone)) };
  });

  app.get<{ Params: { customerId: string } }>('/api/invoices/customer/:customerId', {
    schema: {
      summary: "An account's invoices with their live payment status and notifications", tags: ['invoices'], security,
      params: { type: 'object', required: ['customerId'], properties: { customerId: { type: 'string', pattern: idPattern } } },
      response: {
        200: { type: 'object', properties: { customerId: { type: 'string' }, invoices: { type: 'array', items: { type: 'object', properties: {
          ...notificationProperties('invoiceId', 'amount', 'currency', 'amountDisplay', 'dueDate', 'dueDay', 'riskLevel', 'csmId'),
          status: { type: 'string', description: 'the live payment status' }, notifications: { type: 'array', items: notificationSchema },
        } } } } },
        ...refusals, 404: problem('no invoice known for the customer', ['NTF_UNKNOWN_CUSTOMER']),
      },
    },
  }, async (request, reply) => {
    const { customerId } = request.params;
    const all = await withHistory(deps.db, await ofCustomer(deps.db, customerId));
    if (all.length === 0) return sendProblem(reply, notifierProblem('NTF_UNKNOWN_CUSTOMER', `no invoices known for customer ${customerId}`));
    if (!(await mayActForAccount(deps.db, request.principal!, customerId, all.map((n) => n.csmId)))) return forbidden(reply, `customer ${customerId} is not an account of ${request.principal!.csmId}`);
    const statuses = new Map<string, string>((await deps.db('invoice_status').whereIn('invoice_id', [...new Set(all.map((n) => n.invoiceId))]).select('invoice_id', 'status')).map((r) => [r.invoice_id, r.status]));
    const zone = await zoneOf(deps, request.principal!.csmId);
    const byInvoice = Map.groupBy(all.map((n) => notificationView(n, zone)), (v) => v.invoiceId);
    const invoices = [...byInvoice.entries()].map(([invoiceId, views]) => {
      const { amount, currency, amountDisplay, dueDate, dueDay, riskLevel, csmId, status } = views.find((v) => v.kind === 'invoice_issued') ?? views[0];
      return { invoiceId, status: statuses.get(invoiceId) ?? status, amount, currency, amountDisplay, dueDate, dueDay, riskLevel, csmId, notifications: views };
    });
    return { customerId, invoices };
  });
}
