import { XMLParser } from 'fast-xml-parser';
import { invalid } from '../errors.ts';
import type { SalesforceNotification } from '../domain/salesforce-mapping.ts';

// Values stay text (parseTagValue: false) so "1234.50" never passes through a float.
const parser = new XMLParser({
  removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false,
  isArray: (name) => name === 'Notification', processEntities: true, htmlEntities: false,
});

export interface OutboundMessage {
  organizationId: string;
  actionId: string | null;
  notifications: SalesforceNotification[];
}

type Node = Record<string, unknown>;
const textOf = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && '#text' in (v as Node)) return String((v as Node)['#text']);
  if (typeof v === 'object' && (v as Node)['@nil'] === 'true') return null;
  return typeof v === 'object' ? null : String(v);
};

/** Parses a Salesforce Outbound Message (SOAP 1.1 `notifications`), naming what is missing. */
export function parseOutboundMessage(xml: string): OutboundMessage {
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (error) {
    throw invalid('body', `malformed XML: ${(error as Error).message.split('\n')[0]}`);
  }
  const envelope = doc.Envelope as Node | undefined;
  const body = envelope?.Body as Node | undefined;
  const notifications = body?.notifications as Node | undefined;
  if (!notifications) throw invalid('Envelope.Body.notifications', 'not a Salesforce outbound message');
  const organizationId = textOf(notifications.OrganizationId);
  if (!organizationId) throw invalid('notifications.OrganizationId', 'required');
  const list = (notifications.Notification as Node[] | undefined) ?? [];
  if (!list.length) throw invalid('notifications.Notification', 'at least one notification is required');
  return {
    organizationId,
    actionId: textOf(notifications.ActionId),
    notifications: list.map((n, i) => {
      const id = textOf(n.Id);
      if (!id) throw invalid(`Notification[${i}].Id`, 'required');
      const sObject = n.sObject as Node | undefined;
      if (!sObject || typeof sObject !== 'object') throw invalid(`Notification[${id}].sObject`, 'required');
      const type = String(sObject['@type'] ?? '').replace(/^.*:/, '');
      if (!type) throw invalid(`Notification[${id}].sObject@xsi:type`, 'required');
      const fields = Object.fromEntries(Object.entries(sObject).filter(([k]) => !k.startsWith('@')).map(([k, v]) => [k, textOf(v)]));
      return { id, sObjectType: type, fields };
    }),
  };
}

/** The acknowledgement Salesforce waits for; anything else and it retries the message. */
export const outboundAck =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body>' +
  '</soapenv:Envelope>';
