import { runMain } from '@invoice-signal/runtime';
import { loadConfig } from './config.ts';
import { ingestGateway } from './service.ts';

await runMain(ingestGateway, () => loadConfig());
