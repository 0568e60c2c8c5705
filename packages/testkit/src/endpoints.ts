/** Endpoints of the real stack the tests run against, from the environment the runner set. */
export interface StackEndpoints {
  KAFKA_BROKERS: string;
  SCHEMA_REGISTRY_URL: string;
  DATABASE_URL: string;
}

export function stackEndpoints(env = process.env): StackEndpoints {
  const missing = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL'].filter((k) => !env[k]);
  if (missing.length) {
    throw new Error(`tests need ${missing.join(', ')}: run them with npm test, which starts the stack and sets them`);
  }
  return { KAFKA_BROKERS: env.KAFKA_BROKERS!, SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL!, DATABASE_URL: env.DATABASE_URL! };
}

let counter = 0;

/** A name no other test (or earlier run) uses: topics, groups and databases are isolated by it. */
export function uniqueName(label: string): string {
  counter += 1;
  const clean = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 20);
  return `t_${clean}_${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
}
