import type { FastifyReply } from 'fastify';
import { createTokenVerifier, requireToken, sendProblem, type AuthConfig } from '@invoice-signal/runtime';
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

/** preHandler: the runtime's 401 problem unless a valid bearer token is present; then request.principal names who. */
export const requireAuth = (auth: Authenticator) => requireToken(auth, (request, principal) => {
  request.principal = principal;
});

export function forbidden(reply: FastifyReply, detail: string) {
  return sendProblem(reply, notifierProblem('NTF_FORBIDDEN', detail));
}
