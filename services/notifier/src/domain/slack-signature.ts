import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/** Slack rejects replays older than five minutes; so do we. */
export const maxSkewSeconds = 5 * 60;

/**
 * Slack's request signing: v0=HMAC-SHA256(secret, `v0:${timestamp}:${rawBody}`), compared in
 * constant time, and a timestamp within five minutes of now.
 */
export function verifySlackSignature(opts: { secret: string; signature: string | undefined; timestamp: string | undefined; rawBody: string; nowSeconds: number }): SignatureVerdict {
  const { signature, timestamp } = opts;
  if (!signature || !timestamp) return { ok: false, reason: 'X-Slack-Signature and X-Slack-Request-Timestamp headers are required' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `X-Slack-Request-Timestamp "${timestamp.slice(0, 20)}" is not epoch seconds` };
  const skew = Math.abs(opts.nowSeconds - Number(timestamp));
  if (skew > maxSkewSeconds) return { ok: false, reason: `request timestamp is ${skew} s away from now (limit ${maxSkewSeconds} s)` };
  const expected = `v0=${signSlack(opts.secret, timestamp, opts.rawBody)}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'X-Slack-Signature does not match the request body' };
  return { ok: true };
}

export function signSlack(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
}
