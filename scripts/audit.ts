import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * `pnpm audit --prod`, failing on high or critical advisories. Some registries (mirrors, proxies)
 * do not serve the audit endpoint: then it says so and passes, since there is nothing to judge.
 */
const root = join(import.meta.dirname, '..');
const result = spawnSync(join(root, 'node_modules', '.bin', 'pnpm'), ['audit', '--prod', '--audit-level', 'high'], { cwd: root, encoding: 'utf8' });
const output = `${result.stdout}${result.stderr}`;
process.stdout.write(output);
if (/ERR_PNPM_AUDIT_BAD_RESPONSE|ERR_PNPM_AUDIT_ENDPOINT_NOT_EXISTS|ENOTFOUND|ECONNREFUSED|ETIMEDOUT/.test(output)) {
  console.log('audit: the registry did not answer the audit endpoint; nothing was checked, so nothing fails');
  process.exit(0);
}
process.exit(result.status ?? 1);
