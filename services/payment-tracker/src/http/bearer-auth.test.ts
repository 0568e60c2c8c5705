import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyBearer } from './bearer-auth.ts';

const secret = 'unit-test-secret-0123456789';
const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function sign(claims: object, header: object = { alg: 'HS256', typ: 'JWT' }, key = secret) {
  const body = `${enc(header)}.${enc(claims)}`;
  return `Bearer ${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}
const now = Date.UTC(2026, 10, 24);

describe('bearer tokens', () => {
  it('accepts a valid HS256 token and returns its subject and role', () => {
    expect(verifyBearer(sign({ sub: 'ops', role: 'admin', exp: now / 1000 + 60 }), secret, now)).toEqual({ sub: 'ops', role: 'admin' });
  });
  it.each([
    ['no header', undefined, /missing or malformed/],
    ['another secret', sign({ sub: 'x', role: 'admin' }, undefined, 'another-secret-0123456789'), /signature/],
    ['an expired token', sign({ sub: 'x', role: 'admin', exp: now / 1000 - 1 }), /expired/],
    ['alg none', sign({ sub: 'x', role: 'admin' }, { alg: 'none' }), /HS256 only/],
    ['no role', sign({ sub: 'x' }), /role/],
  ])('refuses %s', (_label, header, message) => {
    expect(() => verifyBearer(header, secret, now)).toThrow(message);
  });
});
