import type { FastifyRequest } from 'fastify';

/** Which source a request was recognised as, for metrics and errors (set by the route). */
const sources = new WeakMap<FastifyRequest, string>();

export const setSource = (request: FastifyRequest, source: string) => void sources.set(request, source);
export const sourceOf = (request: FastifyRequest) => sources.get(request) ?? 'unknown';
