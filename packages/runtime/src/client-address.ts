import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

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

/** An address (10.0.0.5) or a network (10.0.0.0/8, fd00::/8) as a subnet (an address is a full-length one); null when it is neither. */
export function parseNetwork(entry: string): { address: string; prefix: number; type: 'ipv4' | 'ipv6' } | null {
  const [address, bits, extra] = normaliseAddress(entry).split('/');
  const family = isIP(address!);
  if (family === 0 || extra !== undefined || (bits !== undefined && !/^\d+$/.test(bits))) return null;
  const max = family === 6 ? 128 : 32;
  const prefix = bits === undefined ? max : Number(bits);
  return prefix <= max ? { address: address!, prefix, type: family === 6 ? 'ipv6' : 'ipv4' } : null;
}

/** A list of addresses and networks (trusted proxies, an allowlist; checked by the configuration) as a predicate over normalised addresses. */
export function addressList(entries: string[]): (address: string) => boolean {
  if (!entries.length) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const network = parseNetwork(entry);
    if (!network) throw new Error(`not an IP address or CIDR network: ${JSON.stringify(entry)}`);
    list.addSubnet(network.address, network.prefix, network.type);
  }
  return (address) => isIP(address) !== 0 && list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** Who is calling (see clientAddress) given the trusted proxies, and whether the socket's peer is one of them. */
export function clients(trustedProxies: string[]) {
  const isTrusted = addressList(trustedProxies);
  return {
    clientOf(request: FastifyRequest): string {
      const forwarded = request.headers['x-forwarded-for'];
      return clientAddress(request.socket.remoteAddress ?? 'unknown', Array.isArray(forwarded) ? forwarded.join(',') : forwarded, isTrusted);
    },
    isTrustedPeer: (request: FastifyRequest) => isTrusted(normaliseAddress(request.socket.remoteAddress ?? '')),
  };
}

