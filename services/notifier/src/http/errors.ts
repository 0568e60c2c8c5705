import { problemCatalogue } from '@invoice-signal/runtime';

/** The CSM API's and Slack's refusals, declared once: code → status and title (problem+json). */
export const notifierProblem = problemCatalogue({
  NTF_INVALID_ACTION: { status: 400, title: 'Action cannot be recorded' },
  NTF_INVALID_WINDOW: { status: 400, title: 'Outcome window cannot be read' },
  NTF_SLACK_PAYLOAD: { status: 400, title: 'Slack payload cannot be read' },
  NTF_SLACK_SIGNATURE: { status: 401, title: 'Slack signature refused' },
  NTF_FORBIDDEN: { status: 403, title: 'Not yours to see or change' },
  NTF_UNKNOWN_INVOICE: { status: 404, title: 'No notification for the invoice' },
  NTF_UNKNOWN_CUSTOMER: { status: 404, title: 'No invoices for the customer' },
  NTF_TOO_MANY_STREAMS: { status: 429, title: 'Too many open streams' },
  NTF_SLACK_OFF: { status: 503, title: 'Slack not configured' },
});
