import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreBatch } from '../../../src/application/ingest/ports.js';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { todayInSeoul } from '../../../src/domain/calendar/local-date.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { MIGRATIONS_DIR, migrate } from '../../../src/infrastructure/mysql/migrator.js';
import { MySqlSettlementPartitions } from '../../../src/infrastructure/mysql/mysql-settlement-partitions.js';
import { MySqlSettlementStore } from '../../../src/infrastructure/mysql/mysql-settlement-store.js';
import { createSettlementStorePool } from '../../../src/infrastructure/mysql/settlement-store-pool.js';
import { ALL_COLUMNS, toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { ensurePartitionsForWindow } from '../../../src/composition/settlement-partitions.js';
import { requireBuild, startSettle } from '../../support/producer-cli.js';
import { createTempDatabase, silentLogger, stack, stackConfig, type TempDatabase, uniqueName, withDatabase } from '../../support/producer-stack.js';

const withDb = (name: string) => withDatabase(stack.mysqlUrl, name);
const partitionsOf = async (conn: Connection) =>
  (
    await conn.query<RowDataPacket[]>(
      "SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS d FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'settlements' ORDER BY PARTITION_ORDINAL_POSITION",
    )
  )[0].map((r) => `${r.name}<${String(r.d).replaceAll("'", '')}`);
const settlementOn = (i: number, soldDate: string, version = 0): Settlement => ({
  ...syntheticSettlement(i, 'part', version),
  soldDate,
  paidOutDate: soldDate,
});

describe('migration 0050: settlements partitioned by sold date', () => {
  const name = uniqueName('settle_it_0050');
  let conn: Connection;

  beforeAll(async () => {
    const admin = await mysql.createConnection({ uri: stack.mysqlUrl });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`).finally(() => admin.end());
    conn = await mysql.createConnection({ uri: withDb(name), multipleStatements: true, dateStrings: true, timezone: 'Z' });
    await migrate(conn, silentLogger(), MIGRATIONS_DIR, 49);
  });
  afterAll(async () => {
    await conn?.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
    await conn?.end().catch(() => undefined);
  });

  it('keeps every row of the old table unchanged, with the new keys and a history partition holding them all', async () => {
    // rows as the loader wrote them before 0050 (the columns of that time: unknown_fields came with 0060)
    const before = ALL_COLUMNS.filter((c) => c !== 'unknown_fields');
    const rows = ['2024-12-31', '2025-09-01', '2025-09-02', '2025-09-02', '2026-01-15'].map((day, i) => {
      const row = toSettlementRow(settlementOn(i, day), { topic: 't', partition: 0, offset: i, timestamp: 1_000 + i });
      return before.map((c) => row[ALL_COLUMNS.indexOf(c)]);
    });
    await conn.query(`INSERT INTO settlements (${before.join(', ')}) VALUES ?`, [rows]);
    const [old] = await conn.query<RowDataPacket[]>('SELECT * FROM settlements ORDER BY id');
    expect(old).toHaveLength(5);

    expect((await migrate(conn, silentLogger(), MIGRATIONS_DIR, 50)).applied).toEqual(['0050_settlements_partitioned']);

    const [after] = await conn.query<RowDataPacket[]>('SELECT * FROM settlements ORDER BY id');
    expect(after).toEqual(old);
    const [[create]] = (await conn.query<RowDataPacket[]>('SHOW CREATE TABLE settlements')) as unknown as [RowDataPacket[]];
    const ddl = String(create?.['Create Table']);
    expect(ddl).toContain('PRIMARY KEY (`id`,`sold_date`)');
    expect(ddl).toContain('UNIQUE KEY `uk_settlements_transaction_key` (`transaction_key`,`sold_date`)');
    expect(ddl).not.toContain('ix_settlements_sold_date');
    expect(await partitionsOf(conn)).toEqual(['p_history<2026-01-16', 'p_future<MAXVALUE']); // the day after MAX(sold_date)
    const [[counts]] = (await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM settlements PARTITION (p_history)')) as unknown as [RowDataPacket[]];
    expect(Number(counts?.n)).toBe(5);
  });
});

describe('migration 0050 on an empty table', () => {
  it('bounds p_history at 2000-01-01, so produce gives an old window daily partitions (one span over the unused gap)', async () => {
    const db = await createTempDatabase('settle_it_0050e');
    const conn = await mysql.createConnection({ uri: db.url, dateStrings: true, timezone: 'Z' });
    try {
      expect(await partitionsOf(conn)).toEqual(['p_history<2000-01-01', 'p_future<MAXVALUE']);
      const today = todayInSeoul(new Date());
      const added = await ensurePartitionsForWindow(stackConfig({ MYSQL_URL: db.url }, ['mysql']), silentLogger(), {
        from: '2025-02-03',
        to: '2025-02-03',
        dateType: 'soldDate',
      });
      expect(added.slice(0, 2).map((p) => p.name)).toEqual(['p_before_20250203', 'p20250203']);
      expect(added[added.length - 1]?.name).toBe(`p${today.addDays(7).toString().replaceAll('-', '')}`);
      const parts = await partitionsOf(conn);
      expect(parts.slice(0, 3)).toEqual(['p_history<2000-01-01', 'p_before_20250203<2025-02-03', 'p20250203<2025-02-04']);
      expect(parts[parts.length - 1]).toBe('p_future<MAXVALUE');
    } finally {
      await conn.end();
      await db.drop();
    }
  });
});

describe('settle db partitions (adapter + CLI) on MariaDB', () => {
  let db: TempDatabase;
  let conn: Connection;
  let pool: ReturnType<typeof createSettlementStorePool>;
  let store: MySqlSettlementStore;
  const env = () => ({ MYSQL_URL: db.url, LOG_LEVEL: 'warn' });
  const settle = async (...args: string[]) => startSettle(['db', 'partitions', ...args], env()).done;
  const rowsIn = async (partition: string) =>
    Number((await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM settlements PARTITION (${partition})`))[0][0]?.n);

  beforeAll(async () => {
    requireBuild();
    db = await createTempDatabase('settle_it_part');
    conn = await mysql.createConnection({ uri: db.url, dateStrings: true, timezone: 'Z' });
    // fixed dates: a history partition ending 2025-09-01 (the migration bounds it at today; the table is empty)
    await conn.query(
      "ALTER TABLE settlements PARTITION BY RANGE COLUMNS(sold_date) (PARTITION p_history VALUES LESS THAN ('2025-09-01'), PARTITION p_future VALUES LESS THAN (MAXVALUE))",
    );
    pool = createSettlementStorePool({ url: new Secret(db.url), tls: null }, 2);
    store = new MySqlSettlementStore(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await conn?.end();
    await db?.drop();
  });

  const batch = (records: StoreBatch['records'], nextOffset: number): StoreBatch => ({ group: 'g', topic: 't', partition: 0, records, nextOffset });

  it('ensure adds daily partitions through the date, and is idempotent and cheap when nothing is missing', async () => {
    const dry = await settle('ensure', '--through', '2025-09-03', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ through: '2025-09-03', dryRun: true, added: ['p20250901', 'p20250902', 'p20250903'] });
    expect(await partitionsOf(conn)).toEqual(['p_history<2025-09-01', 'p_future<MAXVALUE']);

    const first = await settle('ensure', '--through', '2025-09-03');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('added 3 partition(s): p20250901 … p20250903');
    const layout = ['p_history<2025-09-01', 'p20250901<2025-09-02', 'p20250902<2025-09-03', 'p20250903<2025-09-04', 'p_future<MAXVALUE'];
    expect(await partitionsOf(conn)).toEqual(layout);

    const again = await settle('ensure', '--through', '2025-09-03', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ added: [] });
    expect(await partitionsOf(conn)).toEqual(layout);

    // the produce path's check when nothing is missing: one information_schema read
    const started = performance.now();
    const listed = await new MySqlSettlementPartitions(conn).list();
    expect(performance.now() - started).toBeLessThan(500);
    expect(listed.map((p) => p.name)).toEqual(['p_history', 'p20250901', 'p20250902', 'p20250903', 'p_future']);
  });

  it('rows land in their day; a sold date beyond every daily partition lands in p_future; the newer record still wins', async () => {
    const days = ['2025-08-31', '2025-09-01', '2025-09-02', '2025-09-02', '2025-09-03', '2031-01-01'];
    const records = days.map((day, i) => ({ settlement: settlementOn(i, day), offset: i, timestamp: 1_000 }));
    expect(await store.applyBatch(batch(records, 6))).toEqual({ inserted: 6, updated: 0, unchanged: 0 });
    expect([await rowsIn('p_history'), await rowsIn('p20250901'), await rowsIn('p20250902'), await rowsIn('p20250903'), await rowsIn('p_future')]).toEqual([
      1, 1, 2, 1, 1,
    ]);

    const key = settlementOn(2, '2025-09-02').transactionKey;
    const older = { settlement: settlementOn(2, '2025-09-02', 5), offset: 0, timestamp: 500 };
    const newer = { settlement: settlementOn(2, '2025-09-02', 7), offset: 10, timestamp: 2_000 };
    expect(await store.applyBatch(batch([older], 7))).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(await store.applyBatch(batch([newer], 11))).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const [rows] = await conn.query<RowDataPacket[]>('SELECT amount, source_timestamp FROM settlements WHERE transaction_key = ?', [key]);
    expect(rows).toEqual([{ amount: newer.settlement.amount, source_timestamp: 2_000 }]);
  });

  it('list shows each partition with its dates and approximate rows', async () => {
    await conn.query('ANALYZE TABLE settlements');
    const run = await settle('list', '--json');
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout) as Array<{ name: string; kind: string; range: string; approxRows: number }>;
    expect(listed.map((p) => [p.name, p.kind, p.range])).toEqual([
      ['p_history', 'catch-all', '< 2025-09-01'],
      ['p20250901', 'daily', '2025-09-01'],
      ['p20250902', 'daily', '2025-09-02'],
      ['p20250903', 'daily', '2025-09-03'],
      ['p_future', 'future', '>= 2025-09-04'],
    ]);
    expect(listed.every((p) => typeof p.approxRows === 'number')).toBe(true);
    const text = await settle('list');
    expect(text.stdout).toMatch(/^p20250902\s+2025-09-02\s+\d+$/m);
  });

  it('archive keeps the catch-all whole, moves each daily partition into its own table, and --drop drops', async () => {
    const inside = await settle('archive', '--before', '2025-08-15', '--json');
    expect(inside.code).toBe(0);
    expect(JSON.parse(inside.stdout)).toMatchObject({ steps: [], historyKept: expect.stringContaining('archived whole or not at all') });

    const dry = await settle('archive', '--before', '2025-09-03', '--dry-run');
    expect(dry.stdout).toContain('would archive p20250902 (2025-09-02');
    expect(await rowsIn('p20250902')).toBe(2);

    const run = await settle('archive', '--before', '2025-09-03');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('archived p_history (< 2025-09-01, ~');
    expect(run.stdout).toContain('into settlements_archive_20250902');
    expect(await partitionsOf(conn)).toEqual(['p20250903<2025-09-04', 'p_future<MAXVALUE']);
    const keysIn = async (table: string) =>
      (await conn.query<RowDataPacket[]>(`SELECT sold_date FROM ${table} ORDER BY id`))[0].map((r) => String(r.sold_date));
    expect(await keysIn('settlements_archive_before_20250901')).toEqual(['2025-08-31']);
    expect(await keysIn('settlements_archive_20250901')).toEqual(['2025-09-01']);
    expect(await keysIn('settlements_archive_20250902')).toEqual(['2025-09-02', '2025-09-02']);
    expect(await keysIn('settlements')).toEqual(['2025-09-03', '2031-01-01']);
    const [[archived]] = (await conn.query<RowDataPacket[]>('SELECT amount, source_timestamp FROM settlements_archive_20250902 WHERE transaction_key = ?', [
      settlementOn(2, '2025-09-02').transactionKey,
    ])) as unknown as [RowDataPacket[]];
    expect(archived).toMatchObject({ source_timestamp: 2_000 }); // the row as it was, newest version

    const dropped = await settle('archive', '--before', '2025-09-04', '--drop', '--json');
    expect(JSON.parse(dropped.stdout)).toMatchObject({ steps: [{ partition: 'p20250903', table: null }] });
    expect(await keysIn('settlements')).toEqual(['2031-01-01']);
    expect(await partitionsOf(conn)).toEqual(['p_future<MAXVALUE']);
  });

  it('produce ensures the window and the days ahead, cheaply and without failing on an unpartitioned table', async () => {
    const config = stackConfig({ MYSQL_URL: db.url }, ['mysql']);
    const today = todayInSeoul(new Date());
    const recent = today.addDays(-2);
    await conn.query(
      `ALTER TABLE settlements REORGANIZE PARTITION p_future INTO (PARTITION p_history VALUES LESS THAN ('${recent.toString()}'), PARTITION p_future VALUES LESS THAN (MAXVALUE))`,
    );
    const window = { from: '2025-09-04', to: '2025-09-05', dateType: 'soldDate' as const }; // inside p_history: only the days ahead are added
    const added = await ensurePartitionsForWindow(config, silentLogger(), window);
    expect(added[0]?.day?.toString()).toBe(recent.toString());
    expect(added[added.length - 1]?.day?.toString()).toBe(today.addDays(7).toString());
    expect(await ensurePartitionsForWindow(config, silentLogger(), window)).toEqual([]);

    await conn.query('ALTER TABLE settlements REMOVE PARTITIONING');
    expect(await ensurePartitionsForWindow(config, silentLogger(), window)).toEqual([]);
  });

  it('names the flag on bad input (exit 2)', async () => {
    const bad = await settle('archive', '--before', '2025-02-30');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--before');
    const missing = await settle('archive');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--before');
    const both = await settle('ensure', '--through', '2025-09-10', '--days-ahead', '3');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--through and --days-ahead');
    const ahead = await settle('ensure', '--days-ahead', 'x');
    expect(ahead.code).toBe(2);
    expect(ahead.stderr).toContain('--days-ahead');
    const future = await settle('archive', '--before', '2999-01-01');
    expect(future.code).toBe(2);
    expect(future.stderr).toContain('--before must be today');
  });
});
