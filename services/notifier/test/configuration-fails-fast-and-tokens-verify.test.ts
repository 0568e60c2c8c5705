import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { authEnv, ConfigError, parseEnv } from '@invoice-signal/runtime';
import { stackEndpoints } from '@invoice-signal/testkit';
import { loadConfig } from '../src/config.ts';
import { createAuthenticator } from '../src/http/auth.ts';

const run = promisify(execFile);
const authConfig = (env: Record<string, string>) => parseEnv(authEnv, env);
const cli = new URL('../src/cli/token.ts', import.meta.url).pathname;

describe('configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ ...stackEndpoints(), ...env });
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
  };

  it('fails fast naming each missing or wrong variable', () => {
    expect(problems({})).toEqual(['AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required to authenticate the API (not set)']);
    expect(problems({ AUTH_JWKS_URL: 'https://id.example.com/jwks.json' })).toEqual(['AUTH_ISSUER: required with AUTH_JWKS_URL (not set)', 'AUTH_AUDIENCE: required with AUTH_JWKS_URL (not set)']);
    expect(problems({ AUTH_JWT_SECRET: 'short' })[0]).toBe('AUTH_JWT_SECRET: at least 32 characters (got "***")');
    expect(problems({ AUTH_JWT_SECRET: 'x'.repeat(32), SLACK_BOT_TOKEN: 'xoxb-1', SMTP_URL: 'smtp://localhost:25' })).toEqual([
      'SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set, to verify Slack interactivity (not set)',
      'DIGEST_FROM: required when SMTP_URL is set (not set)',
    ]);
    expect(problems({ AUTH_JWT_SECRET: 'x'.repeat(32), DEFAULT_TIME_ZONE: 'Moon/Base' })[0]).toContain('DEFAULT_TIME_ZONE: an IANA time zone');
    expect(problems({ AUTH_JWT_SECRET: 'x'.repeat(32), QUIET_HOURS: '22:00-31:00' })[0]).toContain('QUIET_HOURS');
    expect(problems({ AUTH_JWT_SECRET: 'x'.repeat(32) })).toEqual([]);
  });
});

describe('tokens', () => {
  let jwks: Server | undefined;
  afterAll(() => new Promise<void>((resolve) => (jwks ? jwks.close(() => resolve()) : resolve())));

  it('the dev CLI prints an HS256 token the API accepts, and refuses without a secret', async () => {
    const secret = 'cli-secret-with-at-least-thirty-two-characters';
    const { stdout } = await run(process.execPath, [cli, 'csm_cli', 'manager'], { env: { ...process.env, AUTH_JWT_SECRET: secret } });
    expect(await createAuthenticator(authConfig({ AUTH_JWT_SECRET: secret })).verify(stdout.trim())).toEqual({ csmId: 'csm_cli', role: 'manager', team: null });
    const scoped = await run(process.execPath, [cli, 'csm_cli', 'manager', 'emea'], { env: { ...process.env, AUTH_JWT_SECRET: secret } });
    expect(await createAuthenticator(authConfig({ AUTH_JWT_SECRET: secret })).verify(scoped.stdout.trim())).toEqual({ csmId: 'csm_cli', role: 'manager', team: 'emea' });
    const failed = await run(process.execPath, [cli, 'csm_cli'], { env: { PATH: process.env.PATH } }).catch((e) => e);
    expect(failed.code).toBe(78);
    expect(failed.stderr).toContain('AUTH_JWT_SECRET');
    const badRole = await run(process.execPath, [cli, 'csm_cli', 'king'], { env: { ...process.env, AUTH_JWT_SECRET: secret } }).catch((e) => e);
    expect(badRole.stderr).toContain('role "king" is not one of csm, manager, admin');
    // The one policy: a token without exp, or living longer than the maximum, is refused.
    const key = new TextEncoder().encode(secret);
    const auth = createAuthenticator(authConfig({ AUTH_JWT_SECRET: secret }));
    await expect(auth.verify(await new SignJWT({ role: 'csm' }).setProtectedHeader({ alg: 'HS256' }).setSubject('csm_x').sign(key))).rejects.toThrow(/exp/);
    await expect(auth.verify(await new SignJWT({ role: 'csm' }).setProtectedHeader({ alg: 'HS256' }).setSubject('csm_x').setIssuedAt().setExpirationTime('400d').sign(key))).rejects.toThrow(/lives longer/);
  });

  it('verifies tokens against a JWKS endpoint when AUTH_JWKS_URL is set, rejecting other roles and keys', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks!.listen(0, '127.0.0.1', resolve));
    const auth = createAuthenticator(authConfig({ AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`, AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'invoice-signal' }));
    const sign = (key: Parameters<SignJWT['sign']>[0], claims: object, iss = 'https://id.example.com') => new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('csm_jwks').setIssuer(iss).setAudience('invoice-signal').setExpirationTime('5m').sign(key);
    expect(await auth.verify(await sign(privateKey, { role: 'admin' }))).toEqual({ csmId: 'csm_jwks', role: 'admin', team: null });
    // A team scopes a manager only; a CSM's token naming a team gains nothing from it.
    expect(await auth.verify(await sign(privateKey, { role: 'manager', team: 'emea' }))).toEqual({ csmId: 'csm_jwks', role: 'manager', team: 'emea' });
    expect(await auth.verify(await sign(privateKey, { role: 'csm', team: 'emea' }))).toEqual({ csmId: 'csm_jwks', role: 'csm', team: null });
    await expect(auth.verify(await sign(privateKey, { role: 'manager', team: 7 }))).rejects.toThrow('token team must be a non-empty string');
    await expect(auth.verify(await sign(privateKey, { role: 'owner' }))).rejects.toThrow('role "owner" is not accepted here (csm, manager, admin)');
    await expect(auth.verify(await sign(other.privateKey, { role: 'csm' }))).rejects.toThrow(/signature does not verify/);
    await expect(auth.verify(await sign(privateKey, { role: 'csm' }, 'https://evil.example.com'))).rejects.toThrow(/iss/);
  });
});
