import type { ServiceContext } from '@invoice-signal/runtime';
import { notificationOutbox } from '../adapters/notification-outbox.ts';
import { queueUnpublished } from '../adapters/notification-store.ts';
import type { Mailer } from '../adapters/mailer.ts';
import type { SlackSender } from '../adapters/slack.ts';
import type { Config } from '../config.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { claimDigests, sendDigests } from './digest-worker.ts';
import { runWeeklyOutcomes, type WeeklyOutcomes } from './outcomes-email.ts';
import { runSlackDeliveries, type RetryPolicy } from './slack-worker.ts';

/**
 * Starts the delivery jobs on the runtime's job runner, every DELIVERY_TICK_MS: the outbox drainer
 * (the runtime's, one instance at a time), Slack (instances share the due rows through leases) and, with SMTP, the
 * digest claim and send (and the weekly outcomes e-mail when OUTCOMES_WEEKLY_TO is set). The digest scans run on the tick only: they are not worth a run per record.
 * Returns the wake-up of the Slack job, which a new or changed notification concerns.
 */
export function startDeliveryJobs(
  ctx: ServiceContext<Config>, deps: NotifierDeps,
  channels: { slack: SlackSender | null; mailer: Mailer | null; weeklyOutcomes?: WeeklyOutcomes | null },
): () => void {
  const everyMs = ctx.config.DELIVERY_TICK_MS;
  const policy: RetryPolicy = { maxAttempts: ctx.config.DELIVERY_MAX_ATTEMPTS, backoffMs: ctx.config.DELIVERY_BACKOFF_MS };
  const { slack, mailer } = channels;
  // The outbox wakes its drainer on every commit that queues a version. The sweep queues what pods of the
  // published_version era wrote during a rolling deploy (one index probe when none): on the tick only, as those
  // pods wake nobody here; what it queues wakes the drainer when it commits.
  notificationOutbox.drain(ctx, { everyMs });
  ctx.job({ name: 'notifier.outbox-sweep', everyMs, singleton: true, run: ({ trx }) => queueUnpublished(trx!, 500) });
  const slackJob = slack ? ctx.job({ name: 'notifier.slack', everyMs, run: () => runSlackDeliveries(deps, slack, policy) }) : null;
  if (mailer) {
    ctx.job({ name: 'notifier.digest-claim', everyMs, run: () => claimDigests(deps) });
    ctx.job({ name: 'notifier.digest-send', everyMs, run: () => sendDigests(deps, mailer, policy) });
    const weekly = channels.weeklyOutcomes;
    if (weekly) ctx.job({ name: 'notifier.outcomes-weekly', everyMs, run: () => runWeeklyOutcomes(deps, mailer, policy, weekly) });
  }
  return () => slackJob?.wake();
}
