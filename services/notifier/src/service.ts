import { topics } from '@invoice-signal/events';
import { onBatch, onBatchesTogether, type ServiceDefinition } from '@invoice-signal/runtime';
import type { Config } from './config.ts';
import { migrations } from './migrations/index.ts';
import { defaultPreferences } from './domain/preferences.ts';
import { createLiveHub } from './adapters/live-hub.ts';
import { createMailer } from './adapters/mailer.ts';
import { createSlackSender, type SlackSender } from './adapters/slack.ts';
import type { NotifierDeps } from './handlers/deps.ts';
import { assessedAndStatusBatch } from './handlers/notification-batch.ts';
import { contextBatch } from './handlers/context-batch.ts';
import { createAuthenticator } from './http/auth.ts';
import { notifierApi, registerHttp } from './http/api.ts';
import { startDeliveryJobs } from './jobs/delivery-jobs.ts';

export interface NotifierOptions {
  /** The clock for notification times, quiet hours, caps and digest periods. Tests move it. */
  now?: () => number;
}

export function createNotifier(options: NotifierOptions = {}): ServiceDefinition<Config> {
  return {
    name: 'notifier',
    migrations,
    produces: [topics.notifications],
    bodyLimit: 64 * 1024,
    openapi: notifierApi,
    async setup(ctx) {
      const { config, logger } = ctx;
      const live = createLiveHub(config.databaseUrl, logger);
      await live.start();
      const slack: SlackSender | null = config.SLACK_BOT_TOKEN ? createSlackSender({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, timeoutMs: config.SLACK_TIMEOUT_MS }) : null;
      const mailer = config.SMTP_URL ? createMailer({ smtpUrl: config.SMTP_URL, from: config.DIGEST_FROM! }) : null;
      let kick: (() => void) | undefined;
      const deps: NotifierDeps = {
        db: ctx.db, logger, live, now: options.now ?? Date.now, defaultZone: config.DEFAULT_TIME_ZONE, publicUrl: config.PUBLIC_URL,
        slackAvailable: slack !== null, emailAvailable: mailer !== null, kick: () => kick?.(),
        defaults: defaultPreferences({
          slackMinRisk: config.SLACK_MIN_RISK, digestMinAmountMinor: config.DIGEST_MIN_AMOUNT_MINOR,
          slackMaxPerHour: config.SLACK_MAX_PER_HOUR, digestFrequency: config.DIGEST_FREQUENCY, digestHour: config.DIGEST_HOUR,
          quietHours: config.QUIET_HOURS, batchWindowSeconds: config.BATCH_WINDOW_SECONDS,
        }),
      };
      const weeklyOutcomes = config.OUTCOMES_WEEKLY_TO
        ? { to: config.OUTCOMES_WEEKLY_TO, weekday: config.OUTCOMES_WEEKLY_DAY, hour: config.OUTCOMES_WEEKLY_HOUR, zone: config.DEFAULT_TIME_ZONE, goLiveAt: config.outcomesGoLiveAt }
        : null;
      kick = startDeliveryJobs(ctx, deps, { slack, mailer, weeklyOutcomes });

      const auth = createAuthenticator(config);
      await registerHttp(ctx.app, { deps, auth, streamMaxPerUser: config.STREAM_MAX_PER_USER, slackSigningSecret: config.SLACK_SIGNING_SECRET, outcomes: { goLiveAt: config.outcomesGoLiveAt } });
      ctx.addCheck('live-events', () => {
        if (!live.connected()) throw new Error('not listening for live events (Postgres LISTEN connection down)');
      });
      ctx.onStop(async () => {
        await live.stop();
        mailer?.close();
      });

      // One group for the three topics; the handlers serialise per account (assessments, context
      // snapshots), then per invoice.
      // Every partition of the three topics at once (18 with the catalogue's 6 each): KafkaJS hands a
      // fetch's partitions to at most this many workers, and the runtime joins those of one topic into
      // one run (one transaction). With fewer workers than partitions with data, a fetch split into
      // several runs of the same topic that overlapped (and waited on each other's CSM rows and
      // invoice locks); one run per topic per fetch is what the locks were sized for.
      const partitions = config.KAFKA_TOPIC_PARTITIONS;
      // Assessments and statuses of one fetch: one run (they lock the same invoices); snapshots their own.
      const subscriptions = [
        ...onBatchesTogether([topics.assessed, topics.paymentStatus], assessedAndStatusBatch(deps)), onBatch(topics.customerContext, contextBatch(deps)),
      ];
      await ctx.consume({
        groupId: ctx.groupId('notifications'),
        partitionsConsumedConcurrently: subscriptions.reduce((n, s) => n + (partitions ?? s.spec.partitions), 0),
        subscriptions,
      });
    },
  };
}

export const notifier = createNotifier();
