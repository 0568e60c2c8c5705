/**
 * The reliability suite restarts the broker and Postgres, so it runs on a private local stack
 * (its own directory and ports), never on the shared one other work is using.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { down, endpointsOf, freezeKafka, readSettings, restartKafka, restartPostgres, restartRegistry, up, type StackSettings } from '@invoice-signal/local-stack';

const root = resolve(import.meta.dirname, '..');

export const privateStackEnv = {
  STACK_DIR: join(root, '.stack-chaos'),
  STACK_KAFKA_PORT: '19092',
  STACK_KAFKA_CONTROLLER_PORT: '19093',
  STACK_REGISTRY_PORT: '18081',
  STACK_REGISTRY_MANAGEMENT_PORT: '19011',
  STACK_POSTGRES_PORT: '15433',
};

export interface PrivateStack {
  settings: StackSettings;
  restartKafka(): Promise<void>;
  restartPostgres(): Promise<void>;
  restartRegistry(): Promise<void>;
  /** The broker unreachable (frozen) for that long, then back. */
  freezeKafka(seconds: number): Promise<void>;
  down(): Promise<void>;
}

/** Starts the private stack and points this process (and the services it spawns) at it. */
export async function startPrivateStack(say: (line: string) => void): Promise<PrivateStack> {
  // readSettings takes the ports from process.env itself, so the private values go there first.
  Object.assign(process.env, privateStackEnv);
  const settings = readSettings();
  if (settings.kafkaPort !== Number(privateStackEnv.STACK_KAFKA_PORT) || settings.postgresPort !== Number(privateStackEnv.STACK_POSTGRES_PORT)) {
    throw new Error(`refusing to run: the private stack would use the shared ports (kafka ${settings.kafkaPort}, postgres ${settings.postgresPort})`);
  }
  mkdirSync(settings.stackDir, { recursive: true });
  writeFileSync(join(settings.stackDir, '.gitignore'), '*\n'); // data and logs stay out of git
  await up(settings, say);
  Object.assign(process.env, endpointsOf(settings));
  return {
    settings,
    restartKafka: () => restartKafka(settings),
    restartPostgres: () => restartPostgres(settings),
    restartRegistry: () => restartRegistry(settings),
    freezeKafka: (seconds) => freezeKafka(settings, seconds),
    down: () => down(settings, say),
  };
}
