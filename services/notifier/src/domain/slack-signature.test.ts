import { describe, expect, it } from 'vitest';
import { signSlack, verifySlackSignature } from './slack-signature.ts';

describe('Slack request signatures', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather';
  const now = 1_531_420_618;
  const signature = `v0=${signSlack(secret, String(now), body)}`;

  it('accepts the v0 HMAC-SHA256 of v0:timestamp:body', () => {
    expect(verifySlackSignature({ secret, signature, timestamp: String(now), rawBody: body, nowSeconds: now + 10 })).toEqual({ ok: true });
  });

  it('rejects a changed body, a wrong secret, a stale or malformed timestamp and missing headers', () => {
    expect(verifySlackSignature({ secret, signature, timestamp: String(now), rawBody: `${body}&x=1`, nowSeconds: now }).ok).toBe(false);
    expect(verifySlackSignature({ secret: 'other', signature, timestamp: String(now), rawBody: body, nowSeconds: now }).ok).toBe(false);
    expect(verifySlackSignature({ secret, signature, timestamp: String(now), rawBody: body, nowSeconds: now + 301 })).toEqual({ ok: false, reason: 'request timestamp is 301 s away from now (limit 300 s)' });
    expect(verifySlackSignature({ secret, signature, timestamp: 'soon', rawBody: body, nowSeconds: now }).ok).toBe(false);
    expect(verifySlackSignature({ secret, signature: undefined, timestamp: String(now), rawBody: body, nowSeconds: now }).ok).toBe(false);
  });
});
