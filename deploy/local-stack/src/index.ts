export { down, status, up, type UpResult } from './stack.ts';
export * from './services.ts';
export { endpointsOf, readSettings, type StackSettings } from './settings.ts';
export { waitFor } from './processes.ts';
export { devSecrets, withEnvironmentSecrets } from './dev-secrets.ts';
export { freezeKafka, restartKafka, restartPostgres, restartRegistry } from './restart.ts';
export { createReporter, type Reporter, type Step } from './progress.ts';
