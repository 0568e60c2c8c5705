/**
 * Kafka requests, counted by the broker. Request counts are JMX-only, so the bench starts the
 * JMX agent in the bench broker (jcmd ManagementAgent.start, loopback only, no restart needed)
 * and reads the counters with Kafka's own JmxTool, running once a second for a whole phase (a
 * JVM per reading would cost seconds of CPU under load and land late).
 *
 * - kafka.network RequestMetrics RequestsPerSec{request=Produce|Fetch|OffsetCommit|...}: requests
 *   of every client, by type (the bench's own tracker subtracts its share, counted client-side).
 * - kafka.server BrokerTopicMetrics TotalProduceRequestsPerSec{topic}: partition appends per topic
 *   (one produce request writing 6 partitions counts 6), and MessagesInPerSec{topic}: records.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import type { StackSettings } from '@invoice-signal/local-stack';

export const jmxPort = 29999;

export interface BrokerCounters {
  /** Epoch ms of the reading. */
  at: number;
  /** Request type → count (all API versions). */
  requests: Record<string, number>;
  /** Topic → partition appends. */
  appends: Record<string, number>;
  /** Topic → records in. */
  messages: Record<string, number>;
  /** Topic → bytes in. */
  bytes: Record<string, number>;
}

export class BrokerJmx {
  private readonly java: string;
  private readonly libs: string;
  private constructor(java: string, libs: string) {
    this.java = java;
    this.libs = libs;
  }

  /** Starts the JMX agent in the running bench broker; undefined (with the reason said) when that fails. */
  static async enable(s: StackSettings, kafkaPid: number | undefined, say: (line: string) => void): Promise<BrokerJmx | undefined> {
    if (kafkaPid === undefined) return undefined;
    try {
      const bin = dirname(readlinkSync(`/proc/${kafkaPid}/exe`));
      // A broker kept from an earlier run (--keep-stack) has its agent running already.
      if (!(await listening(jmxPort))) execFileSync(join(bin, 'jcmd'), [String(kafkaPid), 'ManagementAgent.start', `jmxremote.port=${jmxPort}`, `jmxremote.rmi.port=${jmxPort}`, 'jmxremote.host=127.0.0.1', 'jmxremote.authenticate=false', 'jmxremote.ssl=false'], { stdio: 'pipe' });
      return new BrokerJmx(join(bin, 'java'), join(s.cacheDir, `kafka-${s.kafkaVersion}`, 'libs'));
    } catch (error) {
      say(`broker JMX unavailable (${(error as Error).message.split('\n')[0]}): Kafka requests will not be counted`);
      return undefined;
    }
  }

  /**
   * A JmxTool reading the counters every second. It resolves the MBean patterns once, when it
   * starts: start it after the topics to follow have had their first record.
   */
  async sampler(): Promise<JmxSampler> {
    const child = spawn(this.java, [
      '-XX:TieredStopAtLevel=1', '-Xmx64m', '-cp', `${this.libs}/*`, 'org.apache.kafka.tools.JmxTool',
      '--jmx-url', `service:jmx:rmi:///jndi/rmi://127.0.0.1:${jmxPort}/jmxrmi`,
      '--object-name', 'kafka.network:type=RequestMetrics,name=RequestsPerSec,request=*,version=*',
      '--object-name', 'kafka.server:type=BrokerTopicMetrics,name=TotalProduceRequestsPerSec,topic=*',
      '--object-name', 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=*',
      '--object-name', 'kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=*',
      '--attributes', 'Count', '--reporting-interval', '1000', '--report-format', 'properties',
    ], { stdio: ['ignore', 'pipe', 'ignore'] });
    const sampler = new JmxSampler(child);
    const deadline = Date.now() + 60_000;
    while (!sampler.latest() && Date.now() < deadline && child.exitCode === null) await sleep(200);
    if (!sampler.latest()) {
      sampler.stop();
      throw new Error('JmxTool gave no reading within 60 s');
    }
    return sampler;
  }
}

/** The latest complete reading of a running JmxTool (one block per second, opened by its time= line). */
export class JmxSampler {
  readonly child: ChildProcess;
  private block: string[] = [];
  private last?: BrokerCounters;

  constructor(child: ChildProcess) {
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('time=') && this.block.length) {
        this.last = parseJmx(this.block.join('\n'));
        this.block = [];
      }
      this.block.push(line);
    });
  }

  latest(): BrokerCounters | undefined {
    return this.last;
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

export function parseJmx(text: string): BrokerCounters {
  const c: BrokerCounters = { at: Date.now(), requests: {}, appends: {}, messages: {}, bytes: {} };
  for (const line of text.split('\n')) {
    const time = /^time=(\d+)/.exec(line);
    if (time) c.at = Number(time[1]);
    const req = /type=RequestMetrics,name=RequestsPerSec,request=([A-Za-z]+),version=\d+:Count=(\d+)/.exec(line);
    if (req) c.requests[req[1]!] = (c.requests[req[1]!] ?? 0) + Number(req[2]);
    const app = /name=TotalProduceRequestsPerSec,topic=([^:]+):Count=(\d+)/.exec(line);
    if (app) c.appends[app[1]!] = Number(app[2]);
    const msg = /name=MessagesInPerSec,topic=([^:]+):Count=(\d+)/.exec(line);
    if (msg) c.messages[msg[1]!] = Number(msg[2]);
    const bytes = /name=BytesInPerSec,topic=([^:]+):Count=(\d+)/.exec(line);
    if (bytes) c.bytes[bytes[1]!] = Number(bytes[2]);
  }
  return c;
}

export interface BrokerDelta {
  seconds: number;
  requests: Record<string, number>;
  appends: Record<string, number>;
  messages: Record<string, number>;
  bytes: Record<string, number>;
}

const minus = (z: Record<string, number>, a: Record<string, number>) => Object.fromEntries(Object.entries(z).map(([k, v]) => [k, v - (a[k] ?? 0)]).filter(([, v]) => (v as number) > 0));

export function brokerDelta(a: BrokerCounters, z: BrokerCounters): BrokerDelta {
  return { seconds: (z.at - a.at) / 1000, requests: minus(z.requests, a.requests), appends: minus(z.appends, a.appends), messages: minus(z.messages, a.messages), bytes: minus(z.bytes, a.bytes) };
}
