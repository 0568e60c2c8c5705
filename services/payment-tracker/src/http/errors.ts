import { problemCatalogue } from '@invoice-signal/runtime';

/** The status API's refusals, declared once: code → status and title (problem+json). */
export const paymentProblem = problemCatalogue({
  PT_ROLE_REFUSED: { status: 403, title: 'Role may not read payment statuses' },
  PT_UNKNOWN_INVOICE: { status: 404, title: 'No payment status' },
  PT_API_OFF: { status: 503, title: 'Status API off' },
});
