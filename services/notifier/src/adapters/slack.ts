import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient } from '@slack/web-api';

export interface SlackSender {
  /** The Slack user id for a CSM: the known id, else users.lookupByEmail. */
  resolveUser(csm: { slackUserId: string | null; email: string | null }): Promise<string | null>;
  post(channel: string, message: { text: string; blocks: object[] }): Promise<string>;
}

export interface SlackFailure {
  retriable: boolean;
  /** What Retry-After asked for, in ms (429, or a 5xx that carries it). */
  retryAfterMs: number | null;
  message: string;
}

// Slack errors that a later attempt may not see again.
const transientPlatform = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * The real @slack/web-api client with its own retries off: the delivery worker retries from the
 * database with backoff and Retry-After, so every attempt is logged and survives a restart.
 */
export function createSlackSender(opts: { token: string; apiUrl: string; timeoutMs: number }): SlackSender {
  const client = new WebClient(opts.token, { slackApiUrl: opts.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: opts.timeoutMs, logLevel: LogLevel.ERROR });
  return {
    async resolveUser(csm) {
      if (csm.slackUserId) return csm.slackUserId;
      if (!csm.email) return null;
      try {
        const res = await client.users.lookupByEmail({ email: csm.email });
        return res.user?.id ?? null;
      } catch (error) {
        if (error instanceof WebAPIPlatformError && error.data.error === 'users_not_found') return null;
        throw error;
      }
    },
    async post(channel, message) {
      const res = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, unfurl_links: false });
      return String(res.ts ?? '');
    },
  };
}

export function classifySlackError(error: unknown): SlackFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof WebAPIRateLimitedError) return { retriable: true, retryAfterMs: error.retryAfter * 1000, message };
  if (error instanceof WebAPIHTTPError) {
    const header = Number(error.headers['retry-after']);
    return { retriable: error.statusCode >= 500 || error.statusCode === 408, retryAfterMs: Number.isFinite(header) && header > 0 ? header * 1000 : null, message: `HTTP ${error.statusCode}: ${message}` };
  }
  if (error instanceof WebAPIPlatformError) return { retriable: transientPlatform.has(error.data.error), retryAfterMs: null, message: `slack error ${error.data.error}` };
  if (error instanceof WebAPIRequestError) return { retriable: true, retryAfterMs: null, message };
  return { retriable: true, retryAfterMs: null, message };
}
