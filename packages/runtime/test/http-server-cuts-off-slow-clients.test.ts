import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createHttpApp } from '../src/http.ts';
import { createLogger } from '../src/logger.ts';

/** Resolves with what the server wrote and how long it took it to close the connection. */
function closedAfter(socket: Socket): Promise<{ ms: number; text: string }> {
  const started = Date.now();
  let text = '';
  socket.on('data', (d) => (text += d.toString()));
  return new Promise((resolve) => socket.on('close', () => resolve({ ms: Date.now() - started, text })));
}

describe('the HTTP server does not wait for slow clients forever', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = createHttpApp({ logger: createLogger('http-test', 'silent'), checks: {}, server: { headersTimeoutMs: 600, requestTimeoutMs: 1500, keepAliveTimeoutMs: 700, idleTimeoutMs: 10_000 } });
    app.post('/echo', async (request) => ({ got: String(request.body).length }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('closes a connection whose headers never finish (slow loris) with 408', async () => {
    const socket = connect(port, '127.0.0.1');
    const closed = closedAfter(socket);
    socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const { ms, text } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(5000);
  });

  it('closes a connection whose body never finishes', async () => {
    const socket = connect(port, '127.0.0.1');
    const closed = closedAfter(socket);
    socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly a little');
    const { ms, text } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(6000);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, having answered its request', async () => {
    const socket = connect(port, '127.0.0.1');
    const closed = closedAfter(socket);
    socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
    const { ms, text } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(ms).toBeGreaterThanOrEqual(600);
    expect(ms).toBeLessThan(5000);
  });
});
