import { parseOutboundMessage, outboundAck } from '../adapters/salesforce-soap.ts';
import { unauthorized } from '../errors.ts';
import { decideSalesforceNotification, salesforceInvoiceRef } from '../domain/salesforce-mapping.ts';
import { sameSecret } from './auth.ts';
import { salesforceGate } from './salesforce-auth.ts';
import { rawBody, rawPayload, type IngestHandler, type RouteDeps } from './deps.ts';
import { markAuthenticated, setSource } from './request-source.ts';

/**
 * Salesforce Outbound Messages: the sender proves itself before the XML is parsed (salesforceGate),
 * and the organisation id must be ours; each notification is its own
 * receipt (Salesforce redelivers with the same notification id). Handled in order, so a payment
 * after its invoice in the same message sees the invoice. Answered with the SOAP Ack.
 */
export function salesforceRoute(deps: RouteDeps): IngestHandler {
  const gate = salesforceGate(deps.config);
  return async (request, reply) => {
    setSource(request, 'salesforce');
    gate(request);
    const body = rawBody(request);
    const message = parseOutboundMessage(body.toString('utf8'));
    // Salesforce sends 15- or 18-character ids; the first 15 identify the org.
    if (!sameSecret(message.organizationId.slice(0, 15), deps.config.SALESFORCE_ORG_ID.slice(0, 15))) throw unauthorized(`unknown Salesforce organisation ${message.organizationId}`);
    markAuthenticated(request);
    deps.limit('salesforce');
    const raw = rawPayload(request, body);
    const receivedAt = deps.now();
    // Validate every notification before accepting any, so a bad one does not leave the message half taken.
    const zone = deps.config.billingTimeZones.salesforce;
    for (const n of message.notifications) decideSalesforceNotification(n, { last: null, issued: false }, receivedAt, zone);
    const outcomes = [];
    for (const n of message.notifications) {
      const invoiceId = salesforceInvoiceRef(n);
      const history = invoiceId ? await deps.receipts.history(invoiceId) : { last: null, issued: false };
      outcomes.push(await deps.ingestor.acceptOne(decideSalesforceNotification(n, history, receivedAt, zone), raw));
    }
    request.log.debug({ outcomes }, 'salesforce outbound message handled');
    return reply.code(200).type('text/xml; charset=utf-8').send(outboundAck);
  };
}
