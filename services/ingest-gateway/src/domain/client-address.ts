/** `::ffff:10.1.2.3` (an IPv4 client on a dual-stack socket) is 10.1.2.3. */
export const normaliseAddress = (address: string) => address.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/**
 * Who is calling, for per-client budgets. The socket's peer, unless the peer is a trusted proxy
 * (a load balancer): then the nearest X-Forwarded-For hop that is not itself trusted. Hops further
 * left were written by the client and prove nothing, so they are only reached through trusted ones.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, isTrusted: (address: string) => boolean): string {
  let client = normaliseAddress(peer);
  if (!forwardedFor || !isTrusted(client)) return client;
  const hops = forwardedFor.split(',').map(normaliseAddress).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    client = hops[i];
    if (!isTrusted(client)) return client;
  }
  return client;
}
