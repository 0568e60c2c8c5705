import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findOrFetchJava } from './java.ts';
import { maven } from './maven.ts';
import { daemon, pidOf, runAsync, startDaemon, waitFor } from './processes.ts';
import { silentReporter, type Reporter } from './progress.ts';
import type { StackSettings } from './settings.ts';

/** Downloads Apicurio Registry's packaged application from Maven Central (once) and unpacks it. */
export async function registryApp(s: StackSettings, report: Reporter): Promise<string> {
  const home = join(s.cacheDir, `apicurio-registry-${s.registryVersion}`);
  const jar = join(home, 'quarkus-run.jar');
  if (existsSync(jar)) return jar;
  mkdirSync(home, { recursive: true });
  const artifact = `io.apicurio:apicurio-registry-app:${s.registryVersion}:tar.gz:all`;
  await report.step(`registry: downloading Apicurio Registry ${s.registryVersion} with Maven (a 158 MB tarball)`, (step) =>
    maven(s, step, ['dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${home}`, '-Dmdep.stripVersion=true']), { everyMs: 1000 });
  await report.step('registry: unpacking', () => runAsync('tar', ['xzf', join(home, 'apicurio-registry-app-all.tar.gz'), '-C', home]));
  if (!existsSync(jar)) throw new Error(`unpacked ${artifact} but found no quarkus-run.jar in ${home}`);
  return jar;
}

export const registryDaemon = (s: StackSettings) => daemon(s.stackDir, 'registry');

export async function startRegistry(s: StackSettings, report: Reporter = silentReporter): Promise<number> {
  const d = registryDaemon(s);
  const running = pidOf(d);
  if (running !== undefined) return running;
  const jar = await registryApp(s, report);
  const java = join(await findOrFetchJava(21, s.registryJavaHome, s.cacheDir, report), 'bin', 'java');
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

export async function waitForRegistry(s: StackSettings, deadlineAt: number, report: Reporter = silentReporter): Promise<void> {
  await report.step('registry: waiting for /apis/ccompat/v7/subjects (usually 10-60 s)', () => waitFor('schema registry', deadlineAt, async () => {
    const res = await fetch(`http://127.0.0.1:${s.registryPort}/apis/ccompat/v7/subjects`);
    return res.ok;
  }, () => pidOf(registryDaemon(s)) !== undefined));
}
