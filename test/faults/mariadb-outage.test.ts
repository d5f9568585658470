import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scenario, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

/**
 * Takes every key and gap of settlements (FOR UPDATE through the unique index) in one open transaction. The table
 * has a partition per sold date: this scan locks partition by partition while a loader batch inserts across
 * several days in key order, so the two can deadlock before the scan holds everything. Then this session (the
 * injector, not the system under test) rolls back and tries again once the batch has committed.
 */
async function lockEverySettlement(other: mysql.Connection): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await other.query('BEGIN');
    try {
      await other.query('SELECT COUNT(*) FROM settlements FORCE INDEX (uk_settlements_transaction_key) WHERE transaction_key >= "" FOR UPDATE');
      return;
    } catch (error) {
      await other.query('ROLLBACK');
      const errno = (error as { errno?: number }).errno;
      if ((errno !== 1213 && errno !== 1205) || attempt >= 20) throw error; // ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT
    }
  }
}

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;

describe('faults 4: the private MariaDB restarted, lock waits and deadlocks forced', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => {
    await ctx?.db.start();
    await ctx?.close();
  });

  it('4a: MariaDB restarted during consume (a clean shutdown, then a crash)', async () => {
    // each restart may end a consumer run with exit 4 (its transaction lost mid-commit): two restarts, two spare
    const s = new Scenario('4a MariaDB restarted during consume', ctx, { restarts: 4 });
    await s.setup();
    expect(await s.produceUntilDone()).toEqual([0]);
    s.startConsumer();
    const total = s.expected.rows;
    await s.injectAt(
      'MariaDB SIGTERM + start',
      () => s.storedRecords(),
      Math.floor(total * 0.25),
      total,
      async () => {
        await ctx.db.stop('SIGTERM');
        await ctx.db.start();
      },
    );
    await s.injectAt(
      'MariaDB SIGKILL + start',
      () => s.storedRecords(),
      Math.floor(total * 0.6),
      total,
      async () => {
        await ctx.db.stop('SIGKILL');
        await ctx.db.start();
      },
    );
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish()).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });

  it('4b: lock wait timeouts and a deadlock forced from another session', async () => {
    const s = new Scenario('4b lock waits and a deadlock', ctx, { restarts: 2 });
    await s.setup();
    expect(await s.produceUntilDone()).toEqual([0]);
    const other = await mysql.createConnection({ uri: ctx.db.adminUrl(s.database) });
    try {
      const consumer = s.startConsumer({ CONSUMER_CONCURRENCY: '1' });
      const total = s.expected.rows;
      // every key and gap of the table locked for longer than innodb_lock_wait_timeout (5 s on this server)
      const lockWaits = (from: number) =>
        consumer.log
          .slice(from)
          .split('\n')
          .filter((l) => l.includes('MYSQL_ER_LOCK_WAIT_TIMEOUT')).length;
      let lockMark = 0;
      await s.injectAt(
        'table locked (lock wait timeouts)',
        () => s.storedRecords(),
        Math.floor(total * 0.2),
        total,
        async () => {
          lockMark = consumer.log.length;
          await lockEverySettlement(other);
        },
      );
      // held until the consumer timed out on the lock twice (it retried once and met the lock again): states, not a duration
      await waitFor('the consumer to time out on the lock, retry, and time out again', () => lockWaits(lockMark) >= 2, 120_000);
      await other.query('ROLLBACK');
      s.note(`${lockWaits(lockMark)} lock wait timeouts while the table was locked`);

      // a deadlock the consumer loses: this session is the heavier transaction (InnoDB rolls back the lighter
      // one), holds the group's offset rows until the consumer's batch waits on them, then reaches for the rows
      // that batch has just inserted. The ballast goes in first, on another table, so it blocks nothing.
      await other.query('CREATE TABLE IF NOT EXISTS ballast (id INT PRIMARY KEY, pad CHAR(200))');
      await other.query('BEGIN');
      await other.query('INSERT INTO ballast SELECT seq, REPEAT("x", 200) FROM seq_1_to_20000');
      const deadlockMark = consumer.log.length;
      await s.injectAt(
        'deadlock (consumer chosen as victim)',
        () => s.storedRecords(),
        Math.floor(total * 0.4),
        total,
        async () => {
          await other.query('SELECT * FROM consumer_offsets WHERE group_id = ? FOR UPDATE', [s.group]);
          // the offsets statement comes last in the loader's transaction and is instantaneous unless it waits
          await waitFor(
            'the consumer to wait on the offset rows',
            async () => {
              const [w] = await s.query<{ n: number }>(
                "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE 'INSERT INTO consumer_offsets%'",
                [ctx.db.info.user],
              );
              return Number(w?.n) > 0;
            },
            60_000,
            20,
          );
          await other.query('SELECT COUNT(*) FROM settlements FORCE INDEX (uk_settlements_transaction_key) WHERE transaction_key >= "" FOR UPDATE');
          await other.query('ROLLBACK');
        },
      );
      // the deadlock of this phase, not any earlier line of the log
      await waitFor('the consumer to retry after the deadlock', () => consumer.log.slice(deadlockMark).includes('MYSQL_ER_LOCK_DEADLOCK'), 120_000);
      await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
      expect(await s.finish()).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
    } finally {
      await other.end().catch(() => undefined);
    }
  });
});
