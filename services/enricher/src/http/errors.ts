import { problemCatalogue } from '@invoice-signal/runtime';

/** The context API's refusals, declared once: code → status and title (problem+json). */
export const contextProblem = problemCatalogue({
  CTX_INVALID_IMPORT: { status: 400, title: 'Context import cannot be read' },
  CTX_BAD_ACCOUNT_ID: { status: 400, title: 'Account id cannot be held' },
  CTX_UNAUTHORIZED: { status: 401, title: 'Admin token required' },
  CTX_NOT_FOUND: { status: 404, title: 'No context held' },
});
