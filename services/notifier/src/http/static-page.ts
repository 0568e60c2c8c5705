import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

/** The browser module every page shares (the token from the address bar, API calls with it), served beside each page. */
export const sessionModule = readFileSync(new URL('./shared/session.js', import.meta.url), 'utf8');

const types: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
// Only our own files: no inline script, no CDN, never framed.
const policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * Serves a page's files (read once at start-up) under its paths, with the browser policy every page
 * of the notifier has. `files` maps a path to [extension, content].
 */
export function serveStaticPage(app: FastifyInstance, files: Record<string, [keyof typeof types, string]>): void {
  for (const [path, [ext, body]] of Object.entries(files)) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(types[ext]!).header('content-security-policy', policy).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').send(body));
  }
}
