import { log } from '../adapters/delivery-store.ts';
import type { Mailer } from '../adapters/mailer.ts';
import { outcomesFor, type OutcomeOptions } from '../adapters/outcome-report.ts';
import { renderOutcomesEmail, weeklyOutcomeWindow, type Weekday } from '../domain/outcomes-email.ts';
import type { NotifierDeps } from '../handlers/deps.ts';
import { backoff, type RetryPolicy } from './slack-worker.ts';

export interface WeeklyOutcomes extends OutcomeOptions {
  to: string[];
  weekday: Weekday;
  hour: number;
  zone: string;
}

/** The digests row that claims a week's report: one per week for every recipient (not a CSM's digest, so the digest sender never picks it). */
const claimant = 'outcomes-weekly';
const pending = 'outcomes_pending';

/**
 * The weekly outcomes e-mail, through the digest machinery: the week is claimed by inserting its
 * `(csm_id, period_key)` row into `digests` (whoever inserts it owns it, so it goes out once
 * whatever the instances or restarts), sent with the digest's mailer, retried with its backoff,
 * logged in `delivery_log` (channel `outcomes_email`).
 */
export async function runWeeklyOutcomes(deps: NotifierDeps, mailer: Mailer, policy: RetryPolicy, cfg: WeeklyOutcomes): Promise<number> {
  const now = deps.now();
  const week = weeklyOutcomeWindow(now, cfg.zone, cfg.weekday, cfg.hour);
  await deps.db('digests').insert({ csm_id: claimant, period_key: week.key, state: pending, next_attempt_at: now, created_at: now }).onConflict(['csm_id', 'period_key']).ignore();
  const due = await deps.db.transaction(async (trx) => {
    const [row] = await trx('digests').where({ csm_id: claimant, state: pending }).where('next_attempt_at', '<=', now)
      .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now)).orderBy('period_key').limit(1).forUpdate().skipLocked();
    if (row) await trx('digests').where({ id: row.id }).update({ lease_until: now + 120_000, attempts: row.attempts + 1 });
    return row ? { id: Number(row.id), key: row.period_key as string, attempts: row.attempts + 1 } : null;
  });
  if (!due) return 0;
  const entry = (outcome: string, detail: string) => log(deps.db, { channel: 'outcomes_email', csmId: claimant, digestId: due.id, attempt: due.attempts, outcome, detail, at: deps.now() });
  try {
    const from = Date.parse(`${due.key.slice(claimant.length + 1)}T00:00:00Z`);
    const report = await outcomesFor(deps, { from, to: from + 7 * 86_400_000, csmId: null, team: null }, cfg, cfg.zone);
    const mail = renderOutcomesEmail(report, deps.publicUrl);
    const messageId = await mailer.send({ to: cfg.to.join(', '), ...mail, messageId: `<${due.key.replace(/[^a-zA-Z0-9-]/g, '')}@invoice-signal>`, date: new Date(deps.now()) });
    await deps.db('digests').where({ id: due.id }).update({ state: 'sent', sent_at: deps.now(), message_id: messageId, lease_until: null, last_error: null });
    await entry('sent', `${due.key} to ${cfg.to.join(', ')}`);
    return 1;
  } catch (error) {
    const message = (error as Error).message;
    const wait = backoff(policy, Math.min(due.attempts, policy.maxAttempts), null);
    await deps.db('digests').where({ id: due.id }).update({ next_attempt_at: deps.now() + wait, lease_until: null, last_error: message.slice(0, 2000) });
    await entry('retry', `${message}; next attempt in ${wait} ms`);
    return 0;
  }
}
