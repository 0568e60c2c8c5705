import { runMain } from '@invoice-signal/runtime';
import { loadConfig } from './config.ts';
import { notifier } from './service.ts';

await runMain(notifier, () => loadConfig());
