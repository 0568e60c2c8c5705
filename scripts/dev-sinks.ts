/**
 * The demo's stand-ins for the outside world, run by `npm start`: a Slack Web API stand-in (the
 * notifier's real @slack/web-api client posts to it), an SMTP sink (the real nodemailer sends the
 * digests to it), and a page showing what both received.
 */
import { createServer } from 'node:http';
import { SlackStandIn, SmtpSink } from '@invoice-signal/testkit';

const slackPort = Number(process.env.DEMO_SLACK_PORT ?? 3010);
const viewerPort = Number(process.env.DEMO_SINKS_PORT ?? 3011);
const smtpPort = Number(process.env.DEMO_SMTP_PORT ?? 1025);

const slack = await new SlackStandIn().start(slackPort);
const mail = await new SmtpSink().start(smtpPort);

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1] ?? '';

function page(): string {
  const posts = slack.posts().slice(-50).reverse().map((c) => `<li><b>${escapeHtml(String(c.params.channel))}</b> ${new Date(c.at).toISOString()}<pre>${escapeHtml(String(c.params.text ?? ''))}</pre></li>`);
  const mails = mail.mails.slice(-20).reverse().map((m) => `<li><b>${escapeHtml(header(m.raw, 'Subject'))}</b> → ${escapeHtml(m.to.join(', '))}<details><summary>raw</summary><pre>${escapeHtml(m.raw.slice(0, 20000))}</pre></details></li>`);
  return `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>invoice-signal demo sinks</title>
<style>body{font:14px system-ui;margin:2em;max-width:70em}pre{white-space:pre-wrap;background:#f5f5f5;padding:.5em}</style>
<h1>Demo sinks</h1><h2>Slack (${slack.posts().length} messages)</h2><ul>${posts.join('')}</ul><h2>E-mail digests (${mail.mails.length})</h2><ul>${mails.join('')}</ul>`;
}

createServer((req, res) => {
  if (req.url === '/api/slack.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(slack.posts()));
  if (req.url === '/api/mail.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(mail.mails));
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page());
}).listen(viewerPort, '127.0.0.1', () => console.log(`demo sinks: Slack API ${slack.url}, SMTP ${mail.url}, viewer http://127.0.0.1:${viewerPort}`));
