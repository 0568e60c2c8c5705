/** npm run typecheck: the TypeScript 7 compiler over the whole workspace (no emit). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const result = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
