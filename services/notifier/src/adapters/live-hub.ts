import pg from 'pg';
import type { Knex, Logger } from '@invoice-signal/runtime';

export interface LiveEvent {
  /** created: new in the CSM's inbox; updated: status/facts changed; acknowledged; removed: reassigned away. */
  type: 'created' | 'updated' | 'acknowledged' | 'removed';
  csmId: string;
  notificationId: string;
}

export interface LiveHub {
  subscribe(csmId: string, listener: (e: LiveEvent) => void): () => void;
  /** Announces changes to every instance (Postgres NOTIFY), so an SSE client on any instance hears them. */
  announce(db: Knex, events: LiveEvent[]): Promise<void>;
  subscribers(): number;
  /** Whether this instance is listening; readiness fails while it is not. */
  connected(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const channel = 'notifier_live';

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
        dispatch(JSON.parse(msg.payload ?? '') as LiveEvent);
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
      for (const e of events) await db.raw('select pg_notify(?, ?)', [channel, JSON.stringify(e)]);
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
