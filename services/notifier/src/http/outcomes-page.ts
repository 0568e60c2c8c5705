import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

const asset = (name: string) => readFileSync(new URL(`./outcomes/${name}`, import.meta.url), 'utf8');
// uPlot from the service's own node_modules: the page loads nothing from a CDN.
const uplot = (file: string) => readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${file}`), 'utf8');

/** The managers' outcomes page: static HTML, CSS and JS plus uPlot; data comes from GET /api/outcomes with the user's token. */
export async function outcomesPage(app: FastifyInstance) {
  const files: Record<string, [string, string]> = {
    '/outcomes': ['text/html; charset=utf-8', asset('index.html')],
    '/outcomes/app.js': ['text/javascript; charset=utf-8', asset('app.js')],
    '/outcomes/outcomes.css': ['text/css; charset=utf-8', asset('outcomes.css')],
    '/outcomes/uplot.js': ['text/javascript; charset=utf-8', uplot('uPlot.iife.min.js')],
    '/outcomes/uplot.css': ['text/css; charset=utf-8', uplot('uPlot.min.css')],
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
