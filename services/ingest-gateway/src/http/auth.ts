import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { unauthorized } from '../errors.ts';
import { markAuthenticated } from './request-source.ts';

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function requireBearer(request: FastifyRequest, token: string): void {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) throw unauthorized('missing bearer token (Authorization: Bearer <INGEST_API_TOKEN>)');
  if (!sameSecret(match[1].trim(), token)) throw unauthorized('invalid bearer token');
  markAuthenticated(request);
}

export function requireBasic(request: FastifyRequest, username: string, password: string): void {
  const header = request.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!match) throw unauthorized('missing basic credentials');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Both halves are always compared so the timing does not tell which one was wrong.
  const userOk = sameSecret(colon > 0 ? decoded.slice(0, colon) : '', username);
  const passOk = sameSecret(colon > 0 ? decoded.slice(colon + 1) : '', password);
  if (colon <= 0 || !userOk || !passOk) throw unauthorized('invalid basic credentials');
  markAuthenticated(request);
}
