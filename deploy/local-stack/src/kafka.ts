import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { findJava } from './java.ts';
import { maven } from './maven.ts';
import { daemon, pidOf, runAsync, startDaemon, waitFor } from './processes.ts';
import { silentReporter, type Reporter } from './progress.ts';
import type { StackSettings } from './settings.ts';

const log4j2 = `Configuration:
  status: warn
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka
        level: WARN
      - name: org.apache.kafka
        level: WARN
`;

/** Resolves the broker's jars from Maven Central into the cache (once) and returns their directory. */
export async function kafkaJars(s: StackSettings, report: Reporter): Promise<string> {
  const home = join(s.cacheDir, `kafka-${s.kafkaVersion}`);
  const libs = join(home, 'libs');
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith('kafka_2.13'))) return libs;
  mkdirSync(home, { recursive: true });
  const dependency = (artifact: string) =>
    `<dependency><groupId>org.apache.kafka</groupId><artifactId>${artifact}</artifactId><version>${s.kafkaVersion}</version></dependency>`;
  writeFileSync(
    join(home, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.invoice-signal</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>${dependency('kafka_2.13')}${dependency('kafka-tools')}</dependencies></project>`,
  );
  await report.step(`kafka: downloading Kafka ${s.kafkaVersion} with Maven (54 MB of jars, and Maven's plugins on a first run)`, (step) =>
    maven(s, step, ['-f', join(home, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libs}`]), { everyMs: 1000 });
  return libs;
}

function serverProperties(s: StackSettings, dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${s.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${s.kafkaPort},CONTROLLER://127.0.0.1:${s.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${s.kafkaPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'auto.create.topics.enable=false',
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Compaction runs promptly so the compacted status topic shows it in minutes, not hours.
    'log.cleaner.backoff.ms=1000',
    '',
  ].join('\n');
}

export const kafkaDaemon = (s: StackSettings) => daemon(s.stackDir, 'kafka');

export async function startKafka(s: StackSettings, report: Reporter = silentReporter): Promise<number> {
  const d = kafkaDaemon(s);
  const running = pidOf(d);
  if (running !== undefined) return running;
  const libs = await kafkaJars(s, report);
  const java = join(findJava(17, s.javaHome), 'bin', 'java');
  const home = join(s.stackDir, 'kafka');
  const dataDir = join(home, 'data');
  mkdirSync(home, { recursive: true });
  const props = join(home, 'server.properties');
  writeFileSync(props, serverProperties(s, dataDir));
  writeFileSync(join(home, 'log4j2.yaml'), log4j2);
  const classpath = ['-cp', `${libs}/*`, `-Dlog4j2.configurationFile=${join(home, 'log4j2.yaml')}`];
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    await report.step('kafka: formatting storage', async () => {
      const clusterId = (await runAsync(java, [...classpath, 'kafka.tools.StorageTool', 'random-uuid'])).trim().split('\n').pop()!;
      await runAsync(java, [...classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props]);
    });
  }
  return startDaemon(d, java, [`-Xmx${s.kafkaHeap}`, `-Xms${s.kafkaHeap}`, '-XX:+UseG1GC', ...classpath, 'kafka.Kafka', props]);
}

/** Ready means the group coordinator answers, not merely that the port is open. */
export async function waitForKafka(s: StackSettings, deadlineAt: number, report: Reporter = silentReporter): Promise<void> {
  const kafka = new Kafka({ brokers: [`127.0.0.1:${s.kafkaPort}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  const pid = pidOf(kafkaDaemon(s));
  try {
    await report.step('kafka: waiting for the group coordinator', () => waitFor('kafka', deadlineAt, async () => {
      await admin.connect();
      const { groups } = await admin.describeGroups(['invoice-signal-readiness-probe']);
      return groups.length === 1; // answering at all means the group coordinator is loaded
    }, () => pid === undefined || pidOf(kafkaDaemon(s)) !== undefined));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
