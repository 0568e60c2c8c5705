import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Principal {
  sub: string;
  role: string;
}

/** Why a bearer token was refused; the message goes into the 401 problem. */
export class AuthError extends Error {
  readonly code = 'PT_AUTH';
}

const b64url = (s: string) => Buffer.from(s, 'base64url');

/**
 * Verifies an HS256 JWT (the product's CSM API tokens: `sub`, `role`, `exp`). Only HS256 is
 * accepted, so a token cannot pick a weaker algorithm.
 */
export function verifyBearer(header: string | undefined, secret: string, now = Date.now()): Principal {
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header ?? '');
  if (!match) throw new AuthError('missing or malformed Authorization: Bearer <jwt> header');
  const [, h, p, sig] = match;
  let head: { alg?: string };
  let claims: { sub?: unknown; role?: unknown; exp?: unknown };
  try {
    head = JSON.parse(b64url(h).toString('utf8'));
    claims = JSON.parse(b64url(p).toString('utf8'));
  } catch {
    throw new AuthError('token header or claims are not JSON');
  }
  if (head.alg !== 'HS256') throw new AuthError(`token algorithm ${String(head.alg)} is not accepted (HS256 only)`);
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = b64url(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AuthError('token signature does not verify');
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= now) throw new AuthError('token has expired');
  if (typeof claims.sub !== 'string' || typeof claims.role !== 'string') throw new AuthError('token lacks the sub or role claim');
  return { sub: claims.sub, role: claims.role };
}
