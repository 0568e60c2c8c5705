import { topics, type CsmNotification } from '@invoice-signal/events';
import { defineOutbox, type OutboxRecord } from '@invoice-signal/runtime';
import { toEvent, type InvoiceNotification } from '../domain/notification.ts';

/** Versions of notifications waiting for csm.notifications.v1 (key: the CSM who holds it). */
export const notificationOutbox = defineOutbox({ table: 'notification_outbox', topic: topics.notifications, versionHeader: 'notification-version' });

export const notificationRecord = (n: InvoiceNotification): OutboxRecord<CsmNotification> => ({ key: n.csmId, version: n.version, value: toEvent(n) });
