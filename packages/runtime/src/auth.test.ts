import { describe, expect, it } from 'vitest';
import { SignJWT, type JWTPayload } from 'jose';
import { parseEnv } from './config.ts';
import { authConfigProblems, authEnv, createTokenVerifier, roles, type AuthConfig } from './auth.ts';

const secret = 'unit-test-secret-0123456789-abcdefghij';
const now = Date.UTC(2026, 10, 30, 12);
const s = now / 1000;
const config = (env: Record<string, string> = {}): AuthConfig => parseEnv(authEnv, { AUTH_JWT_SECRET: secret, ...env });
const sign = (claims: JWTPayload, alg = 'HS256', key = secret) => new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
const verify = (token: string, c = config()) => createTokenVerifier(c, roles, () => now).verify(token);

describe('the one JWT policy', () => {
  it('accepts a well-formed token and returns subject, role and team', async () => {
    expect(await verify(await sign({ sub: 'csm_a', role: 'manager', team: 'emea', iat: s, exp: s + 600 }))).toEqual({ sub: 'csm_a', role: 'manager', team: 'emea' });
    expect(await verify(await sign({ sub: 'csm_b', exp: s + 600 }))).toEqual({ sub: 'csm_b', role: 'csm', team: null });
  });

  it.each([
    ['no exp', { sub: 'x' }, /exp/],
    ['an expired token', { sub: 'x', exp: s - 31 }, /expired/],
    ['a lifetime over the maximum', { sub: 'x', iat: s, exp: s + 86_400 + 31 }, /lives longer than 86400/],
    ['an exp too far ahead without iat', { sub: 'x', exp: s + 90_000 }, /lives longer/],
    ['a token not valid yet (nbf)', { sub: 'x', nbf: s + 120, exp: s + 600 }, /nbf/],
    ['no sub', { exp: s + 600 }, /sub/],
    ['a role outside the table', { sub: 'x', role: 'root', exp: s + 600 }, /role "root" is not accepted/],
  ])('refuses %s', async (_label, claims, message) => {
    await expect(verify(await sign(claims as JWTPayload))).rejects.toThrow(message);
  });

  it('tolerates the configured clock skew on exp and nbf, and no more', async () => {
    expect((await verify(await sign({ sub: 'x', exp: s - 20 }))).sub).toBe('x');
    expect((await verify(await sign({ sub: 'x', nbf: s + 20, exp: s + 600 }))).sub).toBe('x');
    await expect(verify(await sign({ sub: 'x', exp: s - 20 }), config({ AUTH_CLOCK_SKEW_S: '5' }))).rejects.toThrow(/expired/);
  });

  it('checks issuer and audience when configured', async () => {
    const c = config({ AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'invoice-signal' });
    expect((await verify(await sign({ sub: 'x', iss: 'https://id.example.com', aud: 'invoice-signal', exp: s + 600 }), c)).sub).toBe('x');
    await expect(verify(await sign({ sub: 'x', iss: 'https://evil.example.com', aud: 'invoice-signal', exp: s + 600 }), c)).rejects.toThrow(/iss/);
    await expect(verify(await sign({ sub: 'x', iss: 'https://id.example.com', aud: 'another-app', exp: s + 600 }), c)).rejects.toThrow(/aud/);
    await expect(verify(await sign({ sub: 'x', exp: s + 600 }), c)).rejects.toThrow(/iss|aud/);
  });

  it('refuses another key and another algorithm', async () => {
    await expect(verify(await sign({ sub: 'x', exp: s + 600 }, 'HS256', 'another-secret-0123456789-abcdefghijkl'))).rejects.toThrow(/signature/);
    await expect(verify(await sign({ sub: 'x', exp: s + 600 }, 'HS512'))).rejects.toThrow(/algorithm/);
  });

  it('requires issuer and audience with a JWKS, and a key source where the API is required', () => {
    expect(authConfigProblems(parseEnv(authEnv, { AUTH_JWKS_URL: 'https://id.example.com/jwks.json' }), true)).toEqual([
      'AUTH_ISSUER: required with AUTH_JWKS_URL (not set)', 'AUTH_AUDIENCE: required with AUTH_JWKS_URL (not set)',
    ]);
    expect(authConfigProblems(parseEnv(authEnv, {}), true)).toEqual(['AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required to authenticate the API (not set)']);
    expect(authConfigProblems(parseEnv(authEnv, {}), false)).toEqual([]);
    expect(() => parseEnv(authEnv, { AUTH_JWT_SECRET: 'too-short' })).toThrow(/AUTH_JWT_SECRET: at least 32 characters/);
  });
});
