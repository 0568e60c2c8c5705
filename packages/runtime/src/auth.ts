import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { url } from './config.ts';
import { markAuthenticated } from './failed-auth.ts';
import { runtimeProblem, sendProblem } from './problems.ts';

/**
 * The one role table of the product's APIs. A service names the roles it serves; a token with any
 * other role is refused there.
 *   csm      a customer success manager: the accounts they own now
 *   manager  every account, or only their team's when the token carries `team`
 *   admin    every account, and administration
 *   service  another system reading (payment statuses), never acting for a CSM
 */
export const roles = ['csm', 'manager', 'admin', 'service'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  /** The token's subject: a CSM id for csm/manager, a system name for service. */
  sub: string;
  role: Role;
  team: string | null;
}

/** The variables of the one JWT policy; every service with an API spreads them into its config. */
export const authEnv = {
  /** HS256 secret of the bearer tokens (or use AUTH_JWKS_URL). */
  AUTH_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Keys of an identity provider (RS256, ES256, EdDSA, PS256); then AUTH_ISSUER and AUTH_AUDIENCE are required. */
  AUTH_JWKS_URL: url.optional(),
  /** Expected `iss`; checked when set. */
  AUTH_ISSUER: z.string().min(1).optional(),
  /** Expected `aud`; checked when set. */
  AUTH_AUDIENCE: z.string().min(1).optional(),
  /** Longest a token may live (exp − iat, and exp − now), seconds. */
  AUTH_MAX_TOKEN_LIFETIME_S: z.coerce.number().int().min(60).max(30 * 86_400).default(86_400),
  /** Clock difference tolerated on exp, nbf and iat, seconds. */
  AUTH_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(300).default(30),
};

export type AuthConfig = z.infer<z.ZodObject<typeof authEnv>>;

/** Cross-variable rules, for a service's loadConfig to add to its problems. */
export function authConfigProblems(c: AuthConfig, required: boolean): string[] {
  const problems: string[] = [];
  if (required && !c.AUTH_JWT_SECRET && !c.AUTH_JWKS_URL) problems.push('AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required to authenticate the API (not set)');
  if (c.AUTH_JWKS_URL && !c.AUTH_ISSUER) problems.push('AUTH_ISSUER: required with AUTH_JWKS_URL (not set)');
  if (c.AUTH_JWKS_URL && !c.AUTH_AUDIENCE) problems.push('AUTH_AUDIENCE: required with AUTH_JWKS_URL (not set)');
  return problems;
}

/** Why a token was refused; the message goes into the 401 problem. */
export class TokenRejected extends Error {}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/**
 * Verifies bearer JWTs under the one policy: a fixed algorithm family (HS256 for a shared secret,
 * asymmetric ones for JWKS), `exp` required and at most AUTH_MAX_TOKEN_LIFETIME_S away, `nbf`
 * and `iat` honoured, issuer and audience when configured, a small clock skew, a role from the table.
 */
export function createTokenVerifier(c: AuthConfig, accepted: readonly Role[], now: () => number = Date.now): TokenVerifier {
  const key: Uint8Array | JWTVerifyGetKey = c.AUTH_JWKS_URL ? createRemoteJWKSet(new URL(c.AUTH_JWKS_URL)) : new TextEncoder().encode(c.AUTH_JWT_SECRET ?? '');
  const algorithms = c.AUTH_JWKS_URL ? ['RS256', 'ES256', 'EdDSA', 'PS256'] : ['HS256'];
  const skew = c.AUTH_CLOCK_SKEW_S;
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key as Uint8Array, {
          algorithms, issuer: c.AUTH_ISSUER, audience: c.AUTH_AUDIENCE, clockTolerance: skew, requiredClaims: ['exp', 'sub'], currentDate: new Date(now()),
        }));
      } catch (error) {
        throw new TokenRejected(error instanceof joseErrors.JOSEError ? joseMessage(error) : 'token does not verify');
      }
      const seconds = now() / 1000;
      const lifetime = payload.exp! - (typeof payload.iat === 'number' ? payload.iat : seconds);
      if (lifetime > c.AUTH_MAX_TOKEN_LIFETIME_S + skew || payload.exp! - seconds > c.AUTH_MAX_TOKEN_LIFETIME_S + skew) {
        throw new TokenRejected(`token lives longer than ${c.AUTH_MAX_TOKEN_LIFETIME_S} s (AUTH_MAX_TOKEN_LIFETIME_S)`);
      }
      const role = payload.role ?? 'csm';
      if (typeof role !== 'string' || !(accepted as readonly string[]).includes(role)) throw new TokenRejected(`role "${String(role)}" is not accepted here (${accepted.join(', ')})`);
      if (!payload.sub) throw new TokenRejected('token has no sub');
      if (payload.team !== undefined && (typeof payload.team !== 'string' || !payload.team)) throw new TokenRejected('token team must be a non-empty string');
      const team = typeof payload.team === 'string' ? payload.team : null;
      return { sub: payload.sub, role: role as Role, team };
    },
  };
}

function joseMessage(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTExpired) return 'token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token claim ${error.claim} ${error.reason === 'missing' ? 'is missing' : 'is not accepted'}: ${error.message}`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature does not verify';
  return `token is not valid: ${error.message}`;
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** Who the request's token named, once requireToken let it through. */
export const principalOf = (request: FastifyRequest): Principal | undefined => principals.get(request);

/** The bearer token of a request, or why there is none. */
function bearerToken(header: string | undefined): { token: string } | { problem: string } {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header ?? '');
  if (match) return { token: match[1]! };
  return { problem: header ? 'Authorization header is not "Bearer <token>"' : 'Authorization: Bearer <token> is required' };
}

const keepPrincipal = (request: FastifyRequest, principal: Principal) => void principals.set(request, principal);
type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * A preHandler: 401 problem unless a valid bearer token is present; then principalOf(request) names
 * who, or `keep` records what a service's own verifier made of the token.
 */
export function requireToken(verifier: TokenVerifier): PreHandler;
export function requireToken<P>(verifier: { verify(token: string): Promise<P> }, keep: (request: FastifyRequest, principal: P) => void): PreHandler;
export function requireToken<P>(verifier: { verify(token: string): Promise<P> }, keep = keepPrincipal as (request: FastifyRequest, principal: P) => void): PreHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const bearer = bearerToken(request.headers.authorization);
    if ('problem' in bearer) return unauthenticated(reply, bearer.problem);
    try {
      keep(request, await verifier.verify(bearer.token));
      markAuthenticated(request);
    } catch (error) {
      if (error instanceof TokenRejected) return unauthenticated(reply, `invalid token: ${error.message}`);
      throw error;
    }
  };
}

/** The 401 of a missing or refused bearer token, with its challenge. */
function unauthenticated(reply: FastifyReply, detail: string) {
  reply.header('www-authenticate', 'Bearer');
  return sendProblem(reply, runtimeProblem('HTTP_UNAUTHENTICATED', detail));
}

/**
 * A bearer token signed with the shared HS256 secret (development, the demo, tests): sub, role,
 * optional team, issued now, expiring after `ttl` (a jose time span such as '12h'; a negative one
 * makes an expired token). Identity providers issue the real ones.
 */
export function signDevToken(secret: string, sub: string, opts: { role?: string; team?: string; ttl?: string } = {}): Promise<string> {
  const claims = opts.team ? { role: opts.role ?? 'csm', team: opts.team } : { role: opts.role ?? 'csm' };
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt().setExpirationTime(opts.ttl ?? '1h').sign(new TextEncoder().encode(secret));
}

