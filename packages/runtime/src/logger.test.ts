import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('logs', () => {
  it('carry no credentials and no e-mail addresses, wherever they were in the logged object', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'log-')), 'service.log');
    const logger = createLogger('test', 'info', file);
    logger.info({
      csm: { id: 'csm_1', email: 'alice@example.com' },
      headers: { authorization: 'Bearer eyJhbGciOi.secret.part', 'stripe-signature': 't=1,v1=abc' },
      token: 'xoxb-slack-token', recipients: ['bob@example.org'], deep: { a: { b: { c: 'reach carol@example.net' } } },
      status: { from: 'pending', to: 'paid' },
    }, 'digest sent to dave@example.com');
    logger.flush();
    await new Promise((r) => setTimeout(r, 50));
    const line = readFileSync(file, 'utf8');
    for (const leaked of ['alice@', 'bob@', 'carol@', 'dave@', 'eyJhbGciOi', 'xoxb-slack-token', 'v1=abc']) expect(line).not.toContain(leaked);
    const entry = JSON.parse(line);
    expect(entry.csm).toEqual({ id: 'csm_1', email: '[email]' });
    expect(entry.headers.authorization).toBe('[redacted]');
    expect(entry.msg).toBe('digest sent to [email]');
    // What is not personal or secret is kept as it was.
    expect(entry.status).toEqual({ from: 'pending', to: 'paid' });
  });
});
