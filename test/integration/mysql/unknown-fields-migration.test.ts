import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../../../src/infrastructure/mysql/migrator.js';
import { silentLogger, stack, uniqueName, withDatabase } from '../../support/producer-stack.js';

const withDb = (name: string) => withDatabase(stack.mysqlUrl, name);

/** Migration 0060 on a partitioned table that already holds rows: a nullable column, rows untouched, no copy. */
describe('migration 0060: settlements.unknown_fields', () => {
  const name = uniqueName('settle_it_0060');
  let conn: Connection;

  beforeAll(async () => {
    const admin = await mysql.createConnection({ uri: stack.mysqlUrl });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`).finally(() => admin.end());
    conn = await mysql.createConnection({ uri: withDb(name), multipleStatements: true, dateStrings: true, timezone: 'Z' });
    await migrate(conn, silentLogger(), MIGRATIONS_DIR, 50);
  });
  afterAll(async () => {
    await conn?.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
    await conn?.end().catch(() => undefined);
  });

  it('adds a nullable column after details; existing rows read NULL and keep every other value', async () => {
    await conn.query(
      `INSERT INTO settlements (transaction_key, payment_key, order_id, m_id, method, currency, amount, interest_fee, fee, supply_amount, vat, pay_out_amount,
         approved_at, approved_at_utc, sold_date, paid_out_date, details, source_topic, source_partition, source_offset, source_timestamp)
       VALUES ('tk1', 'pk1', 'order-1', 'tosspayments', '카드', 'KRW', 1000, 0, 30, 27, 3, 970, '2025-03-03T10:00:00+09:00', '2025-03-03 01:00:00.000',
         '2025-03-03', '2025-03-06', '{}', 't', 0, 0, 1)`,
    );
    const [before] = await conn.query<RowDataPacket[]>('SELECT * FROM settlements');
    expect((await migrate(conn, silentLogger(), MIGRATIONS_DIR, 60)).applied).toEqual(['0060_settlements_unknown_fields']);

    const [after] = await conn.query<RowDataPacket[]>('SELECT * FROM settlements');
    expect(after).toEqual([{ ...before[0], unknown_fields: null }]);
    const [columns] = await conn.query<RowDataPacket[]>(
      "SELECT COLUMN_NAME AS name, IS_NULLABLE AS nullable, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'settlements' ORDER BY ORDINAL_POSITION",
    );
    const names = columns.map((c) => String(c.name));
    expect(names[names.indexOf('details') + 1]).toBe('unknown_fields');
    expect(columns.find((c) => c.name === 'unknown_fields')).toMatchObject({ nullable: 'YES', type: 'longtext' });
  });
});
