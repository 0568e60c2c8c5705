#!/usr/bin/env node
// Entry point of every root npm script. Runs on whatever Node the machine has (20+): installs
// what is missing (the pinned Node 24 and pnpm through npm, then the workspace through pnpm),
// then runs the given TypeScript file on the pinned Node 24.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

// Installers write to stderr so a script's stdout stays clean (e.g. `npm run -s stack -- env`).
function sh(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['inherit', 2, 2] });
  if (result.status !== 0) {
    console.error(`invoice-signal: "${command} ${args.join(' ')}" failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const lockHash = () => createHash('sha256').update(readFileSync(join(root, 'pnpm-lock.yaml'))).digest('hex');
const stampFile = join(root, 'node_modules', '.invoice-signal-install');

function ensureInstalled() {
  const { devDependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const nodeOk = existsSync(bin('node')) && spawnSync(bin('node'), ['--version'], { encoding: 'utf8' }).stdout.trim() === `v${devDependencies.node}`;
  // Installed means: the pinned Node answers and the workspace was installed from this very lockfile.
  if (nodeOk && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === lockHash()) return;
  // npm fetches only the pinned pnpm into a side directory; pnpm then installs the workspace,
  // including the pinned Node, from pnpm-lock.yaml.
  const bootstrap = join(root, 'node_modules', '.bootstrap');
  const pnpm = join(bootstrap, 'node_modules', '.bin', 'pnpm');
  if (!existsSync(pnpm)) {
    console.error(`invoice-signal: bootstrapping pnpm ${devDependencies.pnpm} with npm...`);
    mkdirSync(bootstrap, { recursive: true });
    writeFileSync(join(bootstrap, 'package.json'), JSON.stringify({ private: true, allowScripts: { pnpm: true } }));
    sh('npm', ['install', '--prefix', bootstrap, '--no-save', '--no-audit', '--no-fund', `pnpm@${devDependencies.pnpm}`]);
  }
  console.error('invoice-signal: installing the workspace (pnpm install --frozen-lockfile)...');
  sh(pnpm, ['install', '--frozen-lockfile', '--reporter=append-only']);
  writeFileSync(stampFile, lockHash());
}

const [target, ...args] = process.argv.slice(2);
if (!target) {
  console.error('usage: node scripts/run.mjs <file.ts> [args...]');
  process.exit(2);
}
ensureInstalled();
const child = spawnSync(bin('node'), ['--disable-warning=TimeoutNegativeWarning', join(root, target), ...args], { cwd: process.cwd(), stdio: 'inherit' });
process.exit(child.status ?? 1);
