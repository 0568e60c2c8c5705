import type { FastifyRequest } from 'fastify';

/** Which source a request was recognised as, for metrics and errors (set by the route). */
const sources = new WeakMap<FastifyRequest, string>();
/** Requests whose sender proved who it is (signature, credentials, token, organisation). */
const authenticated = new WeakSet<FastifyRequest>();

export const setSource = (request: FastifyRequest, source: string) => void sources.set(request, source);
export const sourceOf = (request: FastifyRequest) => sources.get(request) ?? 'unknown';

export const markAuthenticated = (request: FastifyRequest) => void authenticated.add(request);
export const isAuthenticated = (request: FastifyRequest) => authenticated.has(request);
