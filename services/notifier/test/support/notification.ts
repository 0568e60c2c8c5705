import { sampleAssessedInvoice } from '@invoice-signal/testkit';
import { factsFromAssessment, newNotification, type InvoiceNotification } from '../../src/domain/notification.ts';

/** A notification as the notifier builds one from the testkit's sample assessment, with the fields a test cares about. */
export function sampleNotification(over: Partial<InvoiceNotification> = {}): InvoiceNotification {
  return { ...newNotification(factsFromAssessment(sampleAssessedInvoice()), 'csm_alice', 'invoice_issued', 'pending', Date.UTC(2026, 10, 20)), ...over };
}
