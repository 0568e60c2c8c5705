/**
 * The reference HTTP server: a bare Fastify route that parses the same JSON body the gateway
 * receives and answers 200, in its own process like the gateway. Prints its URL on stdout.
 */
import { fastify } from './deps.ts';

const app = fastify({ logger: false, bodyLimit: 262_144 });
app.post('/api/webhooks/billing/stripe', async (request) => {
  const event = request.body as { id?: string; data?: { object?: { id?: string } } };
  return { received: true, outcome: 'accepted', id: event.id, invoice: event.data?.object?.id };
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ url }));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
