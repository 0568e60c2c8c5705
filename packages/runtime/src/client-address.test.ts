import { describe, expect, it } from 'vitest';
import { addressList, clientAddress, parseNetwork } from './client-address.ts';
import { addressOrNetwork } from './config.ts';

describe('client address', () => {
  const proxies = new Set(['10.0.0.5', '10.0.0.6']);
  const trusted = (a: string) => proxies.has(a);

  it('is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For claims', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', trusted)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', undefined, trusted)).toBe('203.0.113.9');
  });

  it('behind trusted proxies, is the nearest untrusted hop, not the spoofable leftmost one', () => {
    expect(clientAddress('10.0.0.5', '198.51.100.1', trusted)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.5', '6.6.6.6, 198.51.100.1, 10.0.0.6', trusted)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.5', '10.0.0.6', trusted)).toBe('10.0.0.6');
  });

  it('reads addresses and networks with one parser, for the configuration check and the list alike', () => {
    expect(parseNetwork('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, type: 'ipv4' });
    expect(parseNetwork('fd00::1')).toEqual({ address: 'fd00::1', prefix: 128, type: 'ipv6' });
    for (const bad of ['10.0.0.0/33', '10.0.0.0/8/1', '10.0.0.0/x', 'example.com', '']) {
      expect(parseNetwork(bad), bad).toBeNull();
      expect(addressOrNetwork.safeParse(bad).success, bad).toBe(false);
    }
    const inList = addressList(['10.0.0.0/8', '192.168.1.7']);
    expect(['10.2.3.4', '192.168.1.7', '192.168.1.8'].map(inList)).toEqual([true, true, false]);
    expect(() => addressList(['10.0.0.0/33'])).toThrow('not an IP address or CIDR network: "10.0.0.0/33"');
  });
});
