import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findJava } from './java.ts';
import { daemon, pidOf, run, startDaemon, waitFor } from './processes.ts';
import type { StackSettings } from './settings.ts';

/** Downloads Apicurio Registry's packaged application from Maven Central (once) and unpacks it. */
export function registryApp(s: StackSettings): string {
  const home = join(s.cacheDir, `apicurio-registry-${s.registryVersion}`);
  const jar = join(home, 'quarkus-run.jar');
  if (existsSync(jar)) return jar;
  mkdirSync(home, { recursive: true });
  const artifact = `io.apicurio:apicurio-registry-app:${s.registryVersion}:tar.gz:all`;
  run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${home}`, '-Dmdep.stripVersion=true']);
  run('tar', ['xzf', join(home, 'apicurio-registry-app-all.tar.gz'), '-C', home]);
  if (!existsSync(jar)) throw new Error(`unpacked ${artifact} but found no quarkus-run.jar in ${home}`);
  return jar;
}

export const registryDaemon = (s: StackSettings) => daemon(s.stackDir, 'registry');

export function startRegistry(s: StackSettings): number {
  const d = registryDaemon(s);
  const running = pidOf(d);
  if (running !== undefined) return running;
  const jar = registryApp(s);
  const java = join(findJava(21, s.registryJavaHome, s.cacheDir), 'bin', 'java');
  const env = {
    ...process.env,
    // Schemas live in a Kafka topic so a registry restart keeps every id already written into records.
    APICURIO_STORAGE_KIND: 'kafkasql',
    APICURIO_KAFKASQL_BOOTSTRAP_SERVERS: `127.0.0.1:${s.kafkaPort}`,
  };
  return startDaemon(
    d,
    java,
    [
      `-Xmx${s.registryHeap}`,
      `-Dquarkus.http.port=${s.registryPort}`,
      '-Dquarkus.http.host=127.0.0.1',
      '-Dquarkus.management.host=127.0.0.1',
      `-Dquarkus.management.port=${s.registryManagementPort}`,
      '-jar',
      jar,
    ],
    { cwd: join(s.stackDir), env },
  );
}

export async function waitForRegistry(s: StackSettings, deadlineAt: number): Promise<void> {
  await waitFor('schema registry', deadlineAt, async () => {
    const res = await fetch(`http://127.0.0.1:${s.registryPort}/apis/ccompat/v7/subjects`);
    return res.ok;
  }, () => pidOf(registryDaemon(s)) !== undefined);
}
