import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * Machine packages the tests need beyond Node: Debian's Chromium for the inbox browser test
 * (Playwright drives it; no browser download). Installed with apt when running as root.
 */
export function ensureTools(say: (line: string) => void = console.log): void {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(chromium)) return;
  if (process.getuid?.() !== 0) {
    say(`Chromium not found at ${chromium}: install Debian's chromium package (or set CHROMIUM_PATH) for the browser test`);
    return;
  }
  say('installing Debian chromium for the browser test (apt-get)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const result = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  if (result.status !== 0) say(`apt-get install chromium failed (exit ${result.status}); the browser test will say why`);
}
