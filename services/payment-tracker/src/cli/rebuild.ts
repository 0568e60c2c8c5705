/**
 * Rebuilds the payment tracker's database from the topics (see README, "Rebuilding the state").
 *   PAYMENT_TRACKER_DATABASE_URL=postgres://…/invoice_signal_payment_tracker_v2 node src/cli/rebuild.ts
 * Prints the consumer group to start the service with (EVENTS_CONSUMER_GROUP).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@invoice-signal/runtime';
import { rebuildFromTopics } from '../adapters/rebuild-from-topics.ts';
import { loadConfig } from '../config.ts';

// An optional consumer group name for the rebuilt state (default: a new one, printed at the end).
const { positionals: [groupId] } = parseArgs({ allowPositionals: true });
const config = loadConfig();
const logger = createLogger('payment-tracker-rebuild', config.LOG_LEVEL);
try {
  const report = await rebuildFromTopics(config, logger, groupId);
  logger.info(report, 'rebuild complete');
  console.log(`rebuilt ${report.invoices} invoices from ${report.eventsRead} events (${report.eventsSkipped} skipped); ${report.differing} differ from the status topic and will be published.`);
  console.log(`start the service with EVENTS_CONSUMER_GROUP=${report.groupId} and this database.`);
  process.exit(0);
} catch (error) {
  logger.fatal({ err: error }, 'rebuild failed');
  process.exit(1);
}
