import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '@invoice-signal/runtime';
import type { Role, Viewer } from '../domain/scope.ts';

export type { Role };

/** The token's principal: sub = csmId, role, and for a manager an optional `team` claim that scopes them to that team's accounts. */
export type Principal = Viewer;

export interface Authenticator {
  verify(token: string): Promise<Principal>;
}

const roles = new Set<Role>(['csm', 'manager', 'admin']);

/** Bearer JWTs: HS256 with AUTH_JWT_SECRET, or keys from AUTH_JWKS_URL. Claims: sub = csmId, role, team (managers). */
export function createAuthenticator(opts: { secret?: string; jwksUrl?: string }): Authenticator {
  const key: Uint8Array | JWTVerifyGetKey = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : new TextEncoder().encode(opts.secret!);
  const algorithms = opts.jwksUrl ? ['RS256', 'ES256', 'EdDSA', 'PS256'] : ['HS256'];
  return {
    async verify(token) {
      const { payload } = await jwtVerify(token, key as Uint8Array, { algorithms });
      const role = (payload.role ?? 'csm') as Role;
      if (typeof payload.sub !== 'string' || !payload.sub) throw new Error('token has no sub (csmId)');
      if (!roles.has(role)) throw new Error(`token role "${String(payload.role)}" is not csm, manager or admin`);
      if (payload.team !== undefined && (typeof payload.team !== 'string' || !payload.team)) throw new Error('token team must be a non-empty string');
      // Only a manager is scoped by team; a CSM sees their own accounts whatever the claim says.
      return { csmId: payload.sub, role, team: role === 'manager' ? ((payload.team as string | undefined) ?? null) : null };
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** preHandler: 401 problem unless a valid bearer token is present. */
export function requireAuth(auth: Authenticator) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header ?? '');
    if (!match) return unauthorized(reply, header ? 'Authorization header is not "Bearer <token>"' : 'Authorization: Bearer <token> is required');
    try {
      request.principal = await auth.verify(match[1]);
    } catch (error) {
      return unauthorized(reply, `invalid token: ${(error as Error).message}`);
    }
  };
}

function unauthorized(reply: FastifyReply, detail: string) {
  reply.header('www-authenticate', 'Bearer');
  return sendProblem(reply, { title: 'Unauthorized', status: 401, detail, code: 'NTF_UNAUTHENTICATED' });
}

/** A CSM sees their own; managers and admins see everyone's. */
export const canActFor = (p: Principal | undefined, csmId: string) => !!p && (p.role !== 'csm' || p.csmId === csmId);

export function forbidden(reply: FastifyReply, detail: string) {
  return sendProblem(reply, { title: 'Forbidden', status: 403, detail, code: 'NTF_FORBIDDEN' });
}
