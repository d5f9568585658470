import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StoreBatch } from '../../../src/application/ingest/ports.js';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { jobLockName } from '../../../src/infrastructure/mysql/job-rows.js';
import { toSettleError } from '../../../src/infrastructure/mysql/mysql-errors.js';
import { MySqlJobRepository } from '../../../src/infrastructure/mysql/mysql-job-repository.js';
import { createMySqlConnection } from '../../../src/infrastructure/mysql/mysql-pool.js';
import { MySqlSettlementStore } from '../../../src/infrastructure/mysql/mysql-settlement-store.js';
import { createSettlementStorePool } from '../../../src/infrastructure/mysql/settlement-store-pool.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { startTcpProxy, type TcpProxy } from '../../faults/support/tcp-proxy.js';
import { createTempDatabase, stack, until, type TempDatabase } from '../../support/producer-stack.js';

/**
 * MYSQL_QUERY_TIMEOUT_MS on the real MariaDB, reached through a TCP proxy that stalls: nothing forwarded,
 * nothing closed (a dead network path or a frozen server). mysql2 alone would wait forever; the loader's
 * store and the producer's claim connection fail within the deadline with a transient error, drop the
 * connection, and work again once the path is back.
 */
const TIMEOUT_MS = 1_500;

describe('MySQL statements have a deadline (MYSQL_QUERY_TIMEOUT_MS)', () => {
  let db: TempDatabase;
  let proxy: TcpProxy;
  const viaProxy = () => {
    const u = new URL(db.url);
    u.host = proxy.address;
    return { url: new Secret(u.toString()), tls: null };
  };

  beforeAll(async () => {
    db = await createTempDatabase('settle_it_qto');
    const server = new URL(stack.mysqlUrl);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 3306) });
  });
  afterEach(() => {
    proxy.resume();
    proxy.latency(0);
  });
  afterAll(async () => {
    await proxy?.close();
    await db?.drop();
  });

  const batch = (from: number, n: number, partition: number): StoreBatch => ({
    group: 'g',
    topic: 't',
    partition,
    records: Array.from({ length: n }, (_, i) => ({ settlement: syntheticSettlement(from + i, 'qto'), offset: from + i, timestamp: 1_000 })),
    nextOffset: from + n,
  });

  it('a loader batch on a stalled server fails with MYSQL_QUERY_TIMEOUT (transient); after resume the same batch is stored once', async () => {
    const pool = createSettlementStorePool(viaProxy(), 2);
    const store = new MySqlSettlementStore(pool, { queryTimeoutMs: TIMEOUT_MS });
    try {
      expect(await store.applyBatch(batch(0, 10, 0))).toEqual({ inserted: 10, updated: 0, unchanged: 0 });
      const before = proxy.connections();
      proxy.stall();
      await expect(store.applyBatch(batch(10, 10, 0))).rejects.toMatchObject({ code: 'MYSQL_QUERY_TIMEOUT', retriable: true });
      // the abandoned connection left the pool: the next statement needs a new one, which cannot connect either
      await expect(store.storedOffsets('g', 't')).rejects.toMatchObject({ retriable: true });
      expect(proxy.connections()).toBeGreaterThan(before);
      proxy.resume();
      expect(await store.applyBatch(batch(10, 10, 0))).toEqual({ inserted: 10, updated: 0, unchanged: 0 });
      expect(await store.storedOffsets('g', 't')).toEqual(new Map([[0, 20]]));
      const [n] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM settlements WHERE transaction_key LIKE '%qto%'");
      expect(Number(n?.n)).toBe(20);
    } finally {
      proxy.resume();
      await pool.end();
    }
  });

  it('statements queued behind a stalled one fail too, and later ones at once: nothing waits forever on the connection', async () => {
    const conn = await createMySqlConnection(viaProxy(), { queryTimeoutMs: TIMEOUT_MS });
    try {
      proxy.stall();
      const first = conn.query('SELECT 1');
      const queued = conn.query('SELECT 2');
      await expect(first).rejects.toMatchObject({ code: 'MYSQL_QUERY_TIMEOUT', retriable: true });
      // mysql2 hands the queued one the abandoned socket's error; the adapters translate it as transient
      expect(
        await queued.then(
          () => null,
          (e: unknown) => toSettleError(e),
        ),
      ).toMatchObject({ code: 'MYSQL_QUERY_TIMEOUT', retriable: true });
      await expect(conn.query('SELECT 3')).rejects.toMatchObject({ code: 'MYSQL_QUERY_TIMEOUT', retriable: true });
      await conn.end(); // returns: the connection is closed already
    } finally {
      proxy.resume();
    }
  });

  it('a slow answer within the deadline is not a timeout', async () => {
    const conn = await createMySqlConnection(viaProxy(), { queryTimeoutMs: TIMEOUT_MS });
    try {
      proxy.latency(200); // 400 ms a round trip
      const [rows] = await conn.query('SELECT SLEEP(0.5) AS s');
      expect(rows).toEqual([{ s: 0 }]);
    } finally {
      await conn.end();
    }
  });

  it("the producer's claim connection: a checkpoint on a stalled server fails transient, release returns, and the server frees the claim", async () => {
    const window = settlementWindow('2025-06-01', '2025-06-01');
    const request = { window, kind: 'RUN' as const, pageSize: 10, host: 'it', pid: 1 };
    const repository = new MySqlJobRepository(await createMySqlConnection(viaProxy(), { queryTimeoutMs: TIMEOUT_MS }));
    const claim = await repository.start(request);
    const direct = await mysql.createConnection({ uri: db.url });
    try {
      const lock = await jobLockName(direct, claim.instance.id);
      const [held] = await direct.query<mysql.RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [lock]);
      expect(held[0]?.free).toBe(0);
      proxy.stall();
      const cp = { instanceId: claim.instance.id, executionId: claim.execution.id, page: 1, rowsFetched: 10, rowsPublished: 10, rowsRejected: 0 };
      await expect(repository.checkpoint(cp, { pages: 1, rowsFetched: 10, rowsPublished: 10, rowsRejected: 0 })).rejects.toMatchObject({
        code: 'MYSQL_QUERY_TIMEOUT',
        retriable: true,
      });
      await expect(repository.heartbeat(claim.execution.id)).rejects.toMatchObject({ retriable: true });
      await repository.release();
      // the proxy passes the close on: the server drops the session, its transaction and its named lock
      await until(
        async () => {
          const [r] = await direct.query<mysql.RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [lock]);
          return r[0]?.free === 1;
        },
        30_000,
        'the claim to be freed by the server',
      );
      proxy.resume();
      const next = new MySqlJobRepository(await createMySqlConnection(viaProxy(), { queryTimeoutMs: TIMEOUT_MS }));
      const resumed = await next.start(request);
      expect(resumed.recovered.map((e) => e.id)).toEqual([claim.execution.id]);
      expect(resumed.resumeAfterPage).toBe(0); // the checkpoint that got no answer was rolled back
      await next.release();
    } finally {
      proxy.resume();
      await direct.end();
    }
  });
});
