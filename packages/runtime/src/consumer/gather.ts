import type { KafkaMessage } from 'kafkajs';
import type { OffsetSender } from './committer.ts';
import type { IncomingRecord } from './records.ts';

/** What the loop needs of the partitions a run of records came from. */
export interface Control {
  heartbeat(): Promise<void>;
  /** The consumer is stopping, or one of the partitions was revoked: leave the rest for its next owner. */
  stopping(): boolean;
  /** Marks these records processed: their partitions move on, and their offsets go to the committer. */
  commit(records: IncomingRecord<unknown>[]): Promise<void>;
}

/** One partition's share of a fetch, as KafkaJS hands it to eachBatch. */
export interface PartitionPart {
  records: IncomingRecord<unknown>[];
  messages: Map<IncomingRecord<unknown>, KafkaMessage>;
  heartbeat(): Promise<void>;
  stopping(): boolean;
  resolveOffset(offset: string): void;
  /** Commits offsets at once through this batch (works while the consumer is stopping). */
  commitNow: OffsetSender;
}

/** Takes processed records' offsets to commit: later, or at once through `now` (when the consumer is stopping). */
export type CommitOffsets = (records: IncomingRecord<unknown>[], now?: OffsetSender) => Promise<void>;

/** The control of several partitions' parts at once: offsets resolved and committed per partition. */
export function controlOf(parts: PartitionPart[], commitOffsets: CommitOffsets): Control {
  const byPartition = new Map(parts.map((p) => [`${p.records[0]?.topic}\u0000${p.records[0]?.partition}`, p]));
  return {
    heartbeat: () => parts[0].heartbeat(),
    stopping: () => parts.some((p) => p.stopping()),
    async commit(records) {
      const last = new Map<string, IncomingRecord<unknown>>();
      for (const r of records) {
        const key = `${r.topic}\u0000${r.partition}`;
        const seen = last.get(key);
        if (!seen || BigInt(r.offset) > BigInt(seen.offset)) last.set(key, r);
      }
      // Resolved: the next fetch of each partition starts after them, whenever the commit goes out.
      for (const [key, r] of last) byPartition.get(key)!.resolveOffset(r.offset);
      await commitOffsets([...last.values()], parts.some((p) => p.stopping()) ? parts[0].commitNow : undefined);
    },
  };
}

/**
 * Joins the parts that KafkaJS hands over side by side (the partitions of one fetch, handled
 * concurrently) into one run: one transaction, one send and one offset commit for all of them.
 * Records keep their partition's order; partitions are independent of each other.
 * `expect()` as a part's batch begins holds the run until that part arrives (or the returned release
 * is called): decoding can take several turns of the event loop (a schema not cached yet).
 */
export function gatherer(run: (records: IncomingRecord<unknown>[], messages: Map<IncomingRecord<unknown>, KafkaMessage>, control: Control) => Promise<boolean>, commitOffsets: CommitOffsets) {
  let waiting: Array<{ part: PartitionPart; done: (ok: boolean) => void; fail: (error: unknown) => void }> = [];
  let expected = 0;
  let scheduled = false;
  async function flush() {
    scheduled = false;
    const batch = waiting;
    waiting = [];
    const parts = batch.map((w) => w.part);
    try {
      const ok = await run(parts.flatMap((p) => p.records), new Map(parts.flatMap((p) => [...p.messages])), controlOf(parts, commitOffsets));
      for (const w of batch) w.done(ok);
    } catch (error) {
      for (const w of batch) w.fail(error);
    }
  }
  // The partitions of one fetch arrive within the same turn of the event loop, once decoded.
  const schedule = () => {
    if (scheduled || waiting.length === 0 || expected > 0) return;
    scheduled = true;
    setImmediate(() => void flush());
  };
  const expect = () => {
    expected += 1;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      expected -= 1;
      schedule();
    };
  };
  const add = (part: PartitionPart) =>
    new Promise<boolean>((done, fail) => {
      if (part.records.length === 0) return done(true);
      waiting.push({ part, done, fail });
      schedule();
    });
  return Object.assign(add, { expect });
}
