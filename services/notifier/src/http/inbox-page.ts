import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const asset = (name: string) => readFileSync(new URL(`./inbox/${name}`, import.meta.url), 'utf8');

/** The in-app inbox: static HTML, CSS and JS modules (no build step, no CDN); data comes from the CSM API with the user's token. */
export async function inboxPage(app: FastifyInstance) {
  const files: Record<string, [string, string]> = {
    '/inbox': ['text/html; charset=utf-8', asset('index.html')],
    '/inbox/app.js': ['text/javascript; charset=utf-8', asset('app.js')],
    '/inbox/cards.js': ['text/javascript; charset=utf-8', asset('cards.js')],
    '/inbox/card-view.js': ['text/javascript; charset=utf-8', asset('card-view.js')],
    '/inbox/inbox.css': ['text/css; charset=utf-8', asset('inbox.css')],
  };
  for (const [path, [type, body]] of Object.entries(files)) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type(type)
        .header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(body));
  }
}
