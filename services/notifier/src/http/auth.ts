import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, createTokenVerifier, markAuthenticated, sendProblem, TokenRejected, unauthenticated, type AuthConfig } from '@invoice-signal/runtime';
import type { Role, Viewer } from '../domain/scope.ts';
import { notifierProblem } from './errors.ts';

export type { Role };

/** The token's principal: sub = csmId, role, and for a manager an optional `team` claim that scopes them to that team's accounts. */
export type Principal = Viewer;

export interface Authenticator {
  verify(token: string): Promise<Principal>;
}

/**
 * Bearer JWTs under the product's one policy (the runtime's verifier: exp required and bounded,
 * nbf, issuer/audience, clock skew), for the roles this API serves. Claims: sub = csmId, role,
 * team (a manager's scope).
 */
export function createAuthenticator(config: AuthConfig): Authenticator {
  const verifier = createTokenVerifier(config, ['csm', 'manager', 'admin']);
  return {
    async verify(token) {
      const { sub, role, team } = await verifier.verify(token);
      // Only a manager is scoped by team; a CSM sees their own accounts whatever the claim says.
      return { csmId: sub, role: role as Role, team: role === 'manager' ? team : null };
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
    const bearer = bearerToken(request.headers.authorization);
    if ('problem' in bearer) return unauthenticated(reply, bearer.problem);
    try {
      request.principal = await auth.verify(bearer.token);
      markAuthenticated(request);
    } catch (error) {
      if (error instanceof TokenRejected) return unauthenticated(reply, `invalid token: ${error.message}`);
      throw error;
    }
  };
}

export function forbidden(reply: FastifyReply, detail: string) {
  return sendProblem(reply, notifierProblem('NTF_FORBIDDEN', detail));
}
