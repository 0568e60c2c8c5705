import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createLogger, ensureDatabase, startJob, tryLockKey, type Knex } from '@invoice-signal/runtime';
import { stackEndpoints, uniqueName } from '@invoice-signal/testkit';

describe('background jobs', () => {
  let db: Knex;
  const logger = createLogger('test', 'silent');
  beforeAll(async () => {
    const url = new URL(stackEndpoints().DATABASE_URL);
    url.pathname = `/${uniqueName('jobs')}`;
    await ensureDatabase(url.toString());
    db = createDb(url.toString());
    await db.raw('create table backlog (id int primary key)');
  });
  afterAll(async () => db?.destroy());

  it('drains a backlog run after run without waiting for the interval, and runNow resolves once it is empty', async () => {
    await db('backlog').insert(Array.from({ length: 10 }, (_, id) => ({ id })));
    let runs = 0;
    const job = startJob(db, logger, {
      name: uniqueName('drain'), everyMs: 60_000,
      async run() {
        runs += 1;
        const ids = await db('backlog').orderBy('id').limit(3).pluck('id');
        await db('backlog').whereIn('id', ids).del();
        return ids.length;
      },
    });
    try {
      expect(await job.runNow()).toBe('done');
      expect(await db('backlog').count({ n: '*' })).toEqual([{ n: 0 }]);
      expect(runs).toBeGreaterThanOrEqual(5); // 3+3+3+1, then an empty run
      expect(await job.runNow()).toBe('idle');
    } finally {
      await job.stop();
    }
  });

  it('runs a singleton job on one instance at a time; the other skips while the lock is held', async () => {
    const name = uniqueName('single');
    let active = 0;
    let overlap = 0;
    let done = 0;
    const run = async () => {
      active += 1;
      overlap = Math.max(overlap, active);
      await sleep(150);
      active -= 1;
      done += 1;
    };
    const a = startJob(db, logger, { name, everyMs: 20, singleton: true, run });
    const b = startJob(db, logger, { name, everyMs: 20, singleton: true, run });
    try {
      await sleep(1200);
      expect(done).toBeGreaterThan(3);
      expect(overlap).toBe(1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('retries a failing run and never throws out of the loop', async () => {
    let attempts = 0;
    const job = startJob(db, logger, {
      name: uniqueName('flaky'), everyMs: 60_000,
      async run() {
        attempts += 1;
        if (attempts < 3) throw new Error('not yet');
        return 0;
      },
    });
    try {
      for (let i = 0; i < 50 && attempts < 3; i++) await sleep(50);
      expect(attempts).toBe(3);
    } finally {
      await job.stop();
    }
  });

  it('tells a caller of runNow what its run did: skipped while another instance holds the lock, a failure as a rejection', async () => {
    const name = uniqueName('told');
    let fail = false;
    const job = startJob(db, logger, {
      name, everyMs: 60_000, singleton: true,
      async run() {
        if (fail) throw new Error('the vendor is down');
        return 0;
      },
    });
    try {
      expect(await job.runNow()).toBe('idle'); // the run at start is over
      await db.transaction(async (trx) => {
        expect(await tryLockKey(trx, `job:${name}`)).toBe(true); // another instance's run
        expect(await job.runNow()).toBe('skipped');
      });
      fail = true;
      await expect(job.runNow()).rejects.toThrow('the vendor is down');
    } finally {
      await job.stop();
    }
  });

  it('answers runNow at once after stop, and a waiting caller when it stops', async () => {
    const job = startJob(db, logger, { name: uniqueName('stopped'), everyMs: 60_000, run: async () => 0 });
    await job.runNow();
    await job.stop();
    const answer = await Promise.race([job.runNow(), sleep(1000, 'still waiting')]);
    expect(answer).toBe('stopped');
  });
});
