import { runMain } from '@invoice-signal/runtime';
import { loadConfig } from './config.ts';
import { riskScorer } from './service.ts';

await runMain(riskScorer, () => loadConfig());
