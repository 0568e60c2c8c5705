import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  authorization: string | undefined;
  at: number;
}

export type SlackReply = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A local HTTP server speaking the Slack Web API's wire format (form or JSON in, {ok,...} out),
 * for the real @slack/web-api client pointed at it with slackApiUrl. `script` queues replies
 * per method (e.g. a 429 then a 503) before the normal answer.
 */
export class SlackStandIn {
  readonly calls: SlackCall[] = [];
  readonly users = new Map<string, string>();
  private readonly scripted = new Map<string, SlackReply[]>();
  private server?: Server;
  url = '';

  script(method: string, ...replies: SlackReply[]) {
    this.scripted.set(method, [...(this.scripted.get(method) ?? []), ...replies]);
  }

  posts(filter: (c: SlackCall) => boolean = () => true): SlackCall[] {
    return this.calls.filter((c) => c.method === 'chat.postMessage' && filter(c));
  }

  /** Port 0 picks a free one (tests); the demo uses a fixed port. */
  async start(port = 0): Promise<this> {
    this.server = createServer(async (req, res) => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      const params = await readParams(req);
      this.calls.push({ method, params, authorization: req.headers.authorization, at: Date.now() });
      const queued = this.scripted.get(method)?.shift();
      const reply = queued ?? this.answer(method, params);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  private answer(method: string, params: Record<string, unknown>): SlackReply {
    if (method === 'users.lookupByEmail') {
      const id = this.users.get(String(params.email));
      return { status: 200, body: id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' } };
    }
    if (method === 'chat.postMessage') {
      if (!params.channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
      return { status: 200, body: { ok: true, channel: params.channel, ts: `${Date.now() / 1000}`, message: { text: params.text } } };
    }
    return { status: 200, body: { ok: false, error: 'unknown_method' } };
  }

  async stop() {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('json')) return raw ? JSON.parse(raw) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    try {
      out[k] = k === 'blocks' || k === 'attachments' ? JSON.parse(v) : v;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (smtp-server) that keeps what it receives; `failNext` rejects messages. */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  failNext = 0;
  private server?: SMTPServer;
  url = '';

  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.failNext > 0) {
            this.failNext -= 1;
            const error = Object.assign(new Error('mailbox temporarily unavailable'), { responseCode: 451 });
            return callback(error);
          }
          this.mails.push({ from: session.envelope.mailFrom ? (session.envelope.mailFrom as { address: string }).address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    const address = (this.server as unknown as { server: Server }).server.address() as AddressInfo;
    this.url = `smtp://127.0.0.1:${address.port}`;
    return this;
  }

  async stop() {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
