import { runMain } from '@invoice-signal/runtime';
import { loadConfig } from './config.ts';
import { paymentTracker } from './service.ts';

await runMain(paymentTracker, () => loadConfig());
