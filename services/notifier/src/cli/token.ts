/**
 * Development tokens for the CSM API: `npm run token -- <csmId> [csm|manager|admin] [team]` prints a
 * bearer token (a team scopes a manager to that team's accounts) signed with AUTH_JWT_SECRET (HS256), valid for 12 hours.
 */
import { parseArgs } from 'node:util';
import { signDevToken } from '@invoice-signal/runtime';

const roles = ['csm', 'manager', 'admin'];

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const [csmId, role = 'csm', team] = positionals;
  if (!csmId || !/^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,199}$/.test(csmId)) {
    console.error('usage: token <csmId> [csm|manager|admin] [team]');
    return 64;
  }
  if (!roles.includes(role)) {
    console.error(`role "${role}" is not one of ${roles.join(', ')}`);
    return 64;
  }
  const secret = env.AUTH_JWT_SECRET;
  if (!secret || secret.length < 32) {
    console.error('AUTH_JWT_SECRET: required, at least 32 characters (not set)');
    return 78;
  }
  console.log(await signDevToken(secret, csmId, { role, team, ttl: '12h' }));
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2), process.env);
