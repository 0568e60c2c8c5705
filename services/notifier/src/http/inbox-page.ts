import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { serveStaticPage, sessionModule } from './static-page.ts';

const asset = (name: string) => readFileSync(new URL(`./inbox/${name}`, import.meta.url), 'utf8');

/** The in-app inbox: static HTML, CSS and JS modules (no build step, no CDN); data comes from the CSM API with the user's token. */
export async function inboxPage(app: FastifyInstance) {
  serveStaticPage(app, {
    '/inbox': ['html', asset('index.html')],
    '/inbox/app.js': ['js', asset('app.js')],
    '/inbox/cards.js': ['js', asset('cards.js')],
    '/inbox/card-view.js': ['js', asset('card-view.js')],
    '/inbox/inbox.css': ['css', asset('inbox.css')],
    '/inbox/session.js': ['js', sessionModule],
  });
}
