import { runMain } from '@invoice-signal/runtime';
import { loadConfig } from './config.ts';
import { enricher } from './service.ts';

await runMain(enricher, () => loadConfig());
