import { topics } from '@invoice-signal/events';
import { defineOutbox } from '@invoice-signal/runtime';

/** Every committed change of an invoice's status, waiting for billing.invoice.payment-status.v1 (key: the invoice). */
export const statusOutbox = defineOutbox({ table: 'status_outbox', topic: topics.paymentStatus, versionHeader: 'status-version' });
