import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { serveStaticPage, sessionModule } from './static-page.ts';

const asset = (name: string) => readFileSync(new URL(`./outcomes/${name}`, import.meta.url), 'utf8');
// uPlot from the service's own node_modules: the page loads nothing from a CDN.
const uplot = (file: string) => readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${file}`), 'utf8');

/** The managers' outcomes page: static HTML, CSS and JS plus uPlot; data comes from GET /api/outcomes with the user's token. */
export async function outcomesPage(app: FastifyInstance) {
  serveStaticPage(app, {
    '/outcomes': ['html', asset('index.html')],
    '/outcomes/app.js': ['js', asset('app.js')],
    '/outcomes/outcomes.css': ['css', asset('outcomes.css')],
    '/outcomes/session.js': ['js', sessionModule],
    '/outcomes/uplot.js': ['js', uplot('uPlot.iife.min.js')],
    '/outcomes/uplot.css': ['css', uplot('uPlot.min.css')],
  });
}
