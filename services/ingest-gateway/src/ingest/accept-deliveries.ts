import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { topics, type InvoiceEvent } from '@invoice-signal/events';
import { isRetriable, TransientError, type EventPublisher, type Logger } from '@invoice-signal/runtime';
import type { Claimed, ReceiptLog } from '../adapters/receipt-log.ts';
import { byKey, copyOutcome, decideStored, pollDelayMs, uniqueRefs, type Outcome } from '../domain/delivery-group.ts';
import { dedupeKey, type Delivery } from '../domain/delivery.ts';
import { deliveries as counter, typeLabel } from '../metrics.ts';
import { deferred, groupQueue } from './group-queue.ts';

export type { Outcome };

export interface RawPayload {
  text: string;
  contentType: string | null;
}

/** Largest group: one produce request of the runtime's publisher holds at most 500 records. */
const MAX_GROUP = 500;
/** Groups in their database stage at once; later arrivals wait and form the next, larger group. */
const GROUP_CONCURRENCY = 2;
/** A claim outlives the publish timeout, so its owner always answers (or releases it) before it expires. */
const CLAIM_MARGIN_MS = 5000;

/** One delivery handed in by a route; settled with its own outcome. */
interface Entry {
  key: string;
  delivery: Delivery;
  raw: RawPayload;
  /** Runs a function in the request's async context, so its record carries the request's trace. */
  inContext: <R>(fn: () => R) => R;
  done: ReturnType<typeof deferred<Outcome>>;
}

/** One dedupe key handled by this instance: the outcome of its first copy. */
interface Job {
  key: string;
  first: Entry;
  result: ReturnType<typeof deferred<Outcome>>;
}

type ClaimedJob = Claimed & { job: Job };

interface Deps {
  receipts: ReceiptLog;
  publisher: EventPublisher;
  publishTimeoutMs: number;
  logger?: Logger;
}

const toRecord = (e: InvoiceEvent) => ({ key: e.invoiceId, value: e, headers: { 'event.id': e.eventId, source: e.source } });

/**
 * The durable path, as group commit. Deliveries that arrive together share one receipts insert
 * (new receipts come out already claimed by this instance), one payment_refs upsert, one produce
 * and one `published_at` update; no database connection is held while the broker answers. Each
 * delivery resolves only after its receipt is stored and its record acknowledged. A broker
 * failure or timeout rejects every delivery of the publish (→ 503) and leaves the receipts
 * unpublished, so the vendor's retry (to any instance) publishes them. Copies of one delivery
 * are one receipt: one copy publishes, the others answer duplicate once it has.
 */
export function createIngestor(deps: Deps) {
  const { receipts } = deps;
  const claimMs = deps.publishTimeoutMs + CLAIM_MARGIN_MS;
  /** Keys this instance is handling now: a copy arriving meanwhile waits for the first one's outcome. */
  const inflight = new Map<string, Promise<Outcome>>();

  const markQueue = groupQueue<{ ids: number[]; done: ReturnType<typeof deferred<void>> }>(async (marks) => {
    try {
      await receipts.markPublished(marks.flatMap((m) => m.ids));
      marks.forEach((m) => { m.done.resolve(); });
    } catch (error) {
      marks.forEach((m) => { m.done.reject(error); });
    }
  }, { maxSize: MAX_GROUP, concurrency: GROUP_CONCURRENCY });
  /** Receipts whose acks came back together are marked in one statement. */
  const markPublished = (ids: number[]) => {
    if (!ids.length) return Promise.resolve();
    const done = deferred<void>();
    markQueue({ ids, done });
    return done.promise;
  };

  function newJob(key: string, first: Entry): Job {
    const result = deferred<Outcome>();
    inflight.set(key, result.promise);
    const forget = () => inflight.delete(key);
    result.promise.then(forget, forget);
    return { key, first, result };
  }

  /** Attaches every entry to its key's job (a new one, or one already running here); returns the new jobs. */
  function startJobs(entries: Entry[]): Job[] {
    const jobs: Job[] = [];
    for (const [key, copies] of byKey(entries, (e) => e.key)) {
      const running = inflight.get(key);
      const job = running ? undefined : newJob(key, copies[0]);
      if (job) jobs.push(job);
      const result = running ?? job!.result.promise;
      copies.forEach((c, i) => { result.then((o) => c.done.resolve(copyOutcome(o, !running && i === 0)), c.done.reject); });
    }
    return jobs;
  }

  /**
   * Receipts already stored by an earlier copy: published or ignored ones answer at once (one
   * read: the usual vendor retry); unpublished ones nobody holds are claimed (one more statement);
   * the rest are being published elsewhere, and wait.
   */
  async function settleKnown(jobs: Job[]): Promise<{ claimed: ClaimedJob[]; waiting: Job[] }> {
    if (!jobs.length) return { claimed: [], waiting: [] };
    const open = new Map(jobs.map((j) => [j.key, j]));
    const claimable: string[] = [];
    for (const state of await receipts.states([...open.keys()])) {
      const decision = decideStored(state);
      if (decision === 'claimable') claimable.push(state.dedupeKey);
      if (decision === 'claimable' || decision === 'claimed_elsewhere') continue;
      open.get(state.dedupeKey)!.result.resolve(decision);
      open.delete(state.dedupeKey);
    }
    // Another copy may claim between the read and the claim: the claim re-checks, and the loser waits.
    const claimed = (await receipts.claim(claimable, claimMs)).map((c) => ({ ...c, job: open.get(c.dedupeKey)! }));
    claimed.forEach((c) => { open.delete(c.dedupeKey); });
    return { claimed, waiting: [...open.values()] };
  }

  /** The group's database stage: one insert (+ one refs upsert), and for known keys one claim and one read. */
  async function recordGroup(jobs: Job[]): Promise<{ claimed: ClaimedJob[]; waiting: Job[] }> {
    const inserted = await receipts.insertClaimed(jobs.map(({ first }) => ({ delivery: first.delivery, raw: first.raw.text, contentType: first.raw.contentType })), claimMs);
    const refs = jobs.flatMap(({ first: { delivery: d } }) => (d.event ? (d.paymentRefs ?? []).map((ref) => ({ ref, invoiceId: d.event!.invoiceId })) : []));
    await receipts.saveRefs(uniqueRefs(refs));
    const claimed: ClaimedJob[] = [];
    const known: Job[] = [];
    for (const job of jobs) {
      const id = inserted.get(job.key);
      const event = job.first.delivery.event;
      if (id === undefined) known.push(job);
      else if (!event) job.result.resolve('ignored');
      else claimed.push({ id, dedupeKey: job.key, event, job });
    }
    const again = await settleKnown(known);
    return { claimed: [...claimed, ...again.claimed], waiting: again.waiting };
  }

  /** Resolves with the promise's value, or with undefined once `ms` have passed. */
  async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Publishes the claimed records and waits at most PUBLISH_TIMEOUT_MS for the broker: the vendor
   * should hear 503 well before its own timeout, and the producer itself retries without limit.
   * Each record is published in its request's context, so it carries that request's trace; the
   * runtime's publisher joins them into one produce request. Acked receipts are marked published
   * in one statement, then their deliveries resolve.
   */
  async function publishClaimed(claimed: ClaimedJob[]): Promise<void> {
    if (!claimed.length) return;
    const sends = claimed.map((c) => c.job.first.inContext(() => deps.publisher.publish(topics.invoiceEvents, [toRecord(c.event)])));
    const settled = await within(Promise.allSettled(sends), deps.publishTimeoutMs);
    if (!settled) return abandon(claimed, sends);
    const acked = claimed.filter((_, i) => settled[i].status === 'fulfilled');
    const failed = claimed.flatMap((c, i) => (settled[i].status === 'rejected' ? [{ c, reason: (settled[i] as PromiseRejectedResult).reason }] : []));
    if (failed.length) {
      // Released at once, so the vendor's retry publishes on any instance without waiting for the claim.
      await receipts.releaseClaims(failed.map((f) => f.c.id)).catch((e) => deps.logger?.warn({ err: e }, 'could not release receipt claims; they expire by themselves'));
      failed.forEach((f) => { f.c.job.result.reject(f.reason); });
    }
    if (!acked.length) return;
    try {
      await markPublished(acked.map((c) => c.id));
      acked.forEach((c) => { c.job.result.resolve('accepted'); });
    } catch (error) {
      acked.forEach((c) => { c.job.result.reject(error); });
    }
  }

  /** Timed out: every delivery gets 503. The sends go on; records the broker takes late are marked then, the others' claims expire. */
  function abandon(claimed: ClaimedJob[], sends: Array<Promise<void>>): void {
    const error = new TransientError('KAFKA_PUBLISH_TIMEOUT', `the broker did not acknowledge within ${deps.publishTimeoutMs} ms`);
    claimed.forEach((c) => { c.job.result.reject(error); });
    void Promise.allSettled(sends)
      .then((late) => markPublished(claimed.filter((_, i) => late[i].status === 'fulfilled').map((c) => c.id)))
      .catch((e) => deps.logger?.warn({ err: e }, 'could not mark receipts whose records the broker took late'));
  }

  /** Copies whose receipt another instance is publishing: poll until it is published, or its claim expires and we take it. */
  async function waitForOthers(jobs: Job[]): Promise<void> {
    const deadline = Date.now() + deps.publishTimeoutMs;
    let pending = jobs;
    for (let attempt = 0; pending.length; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const error = new TransientError('INGEST_RECEIPT_CLAIMED', `another instance is publishing ${pending.length} of these deliveries and did not finish within ${deps.publishTimeoutMs} ms`);
        pending.forEach((j) => { j.result.reject(error); });
        return;
      }
      await sleep(Math.min(left, pollDelayMs(attempt)));
      try {
        const { claimed, waiting } = await settleKnown(pending);
        void publishClaimed(claimed);
        pending = waiting;
      } catch (error) {
        pending.forEach((j) => { j.result.reject(error); });
        return;
      }
    }
  }

  /** The group's database stage, then (without waiting) its publish and the waits for other instances. */
  async function recordAndPublish(jobs: Job[]): Promise<void> {
    let stage: Awaited<ReturnType<typeof recordGroup>>;
    try {
      stage = await recordGroup(jobs);
    } catch (error) {
      // A delivery the database refuses (a NUL in its event, say) must not fail the others: each is tried alone.
      if (jobs.length > 1 && !isRetriable(error)) return void (await Promise.all(jobs.map((j) => recordAndPublish([j]))));
      jobs.forEach((j) => { j.result.reject(error); });
      return;
    }
    // The database stage is over: the next group may start while this one waits for the broker.
    void publishClaimed(stage.claimed);
    void waitForOthers(stage.waiting);
  }

  async function runGroup(entries: Entry[]): Promise<void> {
    const jobs = startJobs(entries);
    if (jobs.length) await recordAndPublish(jobs);
  }

  const enqueue = groupQueue<Entry>((entries) => runGroup(entries).catch((error) => entries.forEach((e) => { e.done.reject(error); })), { maxSize: MAX_GROUP, concurrency: GROUP_CONCURRENCY });

  function submit(delivery: Delivery, raw: RawPayload): Promise<Outcome> {
    const done = deferred<Outcome>();
    enqueue({ key: dedupeKey(delivery.source, delivery.vendorEventId), delivery, raw, inContext: AsyncLocalStorage.snapshot(), done });
    return done.promise;
  }

  return {
    /** One delivery; resolves once its receipt is stored and its record acknowledged (or it was a duplicate / ignored). */
    async acceptOne(delivery: Delivery, raw: RawPayload): Promise<Outcome> {
      const outcome = await submit(delivery, raw);
      counter.inc({ source: delivery.source, type: typeLabel(delivery.vendorType), outcome });
      return outcome;
    },

    /** Many deliveries of one request (upload rows, reconciliation): the same path; fails if any of them failed. */
    async acceptMany(batch: Array<{ delivery: Delivery; raw: RawPayload }>): Promise<Outcome[]> {
      const settled = await Promise.allSettled(batch.map(({ delivery, raw }) => submit(delivery, raw)));
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      return settled.map((s, i) => {
        const outcome = (s as PromiseFulfilledResult<Outcome>).value;
        counter.inc({ source: batch[i].delivery.source, type: typeLabel(batch[i].delivery.vendorType), outcome });
        return outcome;
      });
    },
  };
}

export type Ingestor = ReturnType<typeof createIngestor>;
