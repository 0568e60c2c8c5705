import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.ts';

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
});
