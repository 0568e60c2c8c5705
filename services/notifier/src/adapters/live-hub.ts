import pg from 'pg';
import type { Knex, Logger } from '@invoice-signal/runtime';
import type { LiveEvent } from '../domain/notification.ts';

export type { LiveEvent };

export interface LiveHub {
  subscribe(csmId: string, listener: (e: LiveEvent) => void): () => void;
  /**
   * Announces changes to every instance (Postgres NOTIFY), so an SSE client on any instance hears
   * them: one statement, whatever the number of events. Given a transaction, Postgres delivers
   * the notifications when it commits, and never if it rolls back.
   */
  announce(db: Knex | Knex.Transaction, events: LiveEvent[]): Promise<void>;
  subscribers(): number;
  /** Whether this instance is listening; readiness fails while it is not. */
  connected(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const channel = 'notifier_live';
/** Postgres refuses a NOTIFY payload of 8000 bytes or more. */
const maxPayloadBytes = 7900;

/** Events as JSON arrays, each under the payload limit. */
export function payloads(events: LiveEvent[]): string[] {
  const out: string[] = [];
  let chunk: string[] = [];
  let bytes = 2;
  for (const e of events) {
    const item = JSON.stringify(e);
    const size = Buffer.byteLength(item) + 1;
    if (chunk.length && bytes + size > maxPayloadBytes) {
      out.push(`[${chunk.join(',')}]`);
      chunk = [];
      bytes = 2;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length) out.push(`[${chunk.join(',')}]`);
  return out;
}

export function createLiveHub(databaseUrl: string, logger: Logger): LiveHub {
  const listeners = new Map<string, Set<(e: LiveEvent) => void>>();
  let client: pg.Client | undefined;
  let stopped = false;

  const dispatch = (e: LiveEvent) => {
    for (const fn of listeners.get(e.csmId) ?? []) fn(e);
    for (const fn of listeners.get('*') ?? []) fn(e);
  };

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on('notification', (msg) => {
      try {
        const parsed = JSON.parse(msg.payload ?? '') as LiveEvent | LiveEvent[];
        // An array since batching; a single event from an instance of the previous version.
        for (const e of Array.isArray(parsed) ? parsed : [parsed]) dispatch(e);
      } catch (error) {
        logger.warn({ err: error }, 'unreadable live event');
      }
    });
    c.on('error', (error) => {
      logger.warn({ err: error }, 'live event connection lost; reconnecting');
      client = undefined;
      if (!stopped) setTimeout(() => void connect().catch((e) => logger.error({ err: e }, 'live event reconnect failed')), 1000).unref();
    });
    await c.connect();
    await c.query(`listen ${channel}`);
    client = c;
  }

  return {
    subscribe(csmId, listener) {
      const set = listeners.get(csmId) ?? new Set();
      set.add(listener);
      listeners.set(csmId, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(csmId);
      };
    },
    async announce(db, events) {
      if (events.length) await db.raw('select pg_notify(?, p) from unnest(?::text[]) as p', [channel, payloads(events)]);
    },
    subscribers: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    connected: () => client !== undefined,
    start: connect,
    async stop() {
      stopped = true;
      await client?.end().catch(() => undefined);
    },
  };
}
