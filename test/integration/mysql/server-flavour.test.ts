import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { checkMySql } from '../../../src/infrastructure/health/mysql-check.js';
import { MySqlSettlementStore } from '../../../src/infrastructure/mysql/mysql-settlement-store.js';
import { readServerInfo } from '../../../src/infrastructure/mysql/server-flavour.js';
import { createSettlementStorePool } from '../../../src/infrastructure/mysql/settlement-store-pool.js';
import { toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { upsertOffsetSql, upsertSettlementsSql } from '../../../src/infrastructure/mysql/settlement-upsert-sql.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { createTempDatabase, type TempDatabase } from '../../support/producer-stack.js';

/**
 * The stack's server is the tested one (MariaDB 10.11): the store picks the VALUES(col) form there, doctor names it,
 * and the row-alias form meant for MySQL ≥ 8.0.19 is indeed refused by MariaDB (so the choice by server matters).
 */
describe('server flavour on the stack’s MariaDB', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempDatabase('settle_it_flavour');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('is MariaDB 10.11, tested, and the store uses the VALUES(col) upsert (its counts work)', async () => {
    const pool = createSettlementStorePool({ url: new Secret(db.url), tls: null }, 2);
    try {
      const store = new MySqlSettlementStore(pool);
      const rec = (i: number) => ({ settlement: syntheticSettlement(i, 'flv'), offset: i, timestamp: 1_000 });
      expect(await store.applyBatch({ group: 'g', topic: 't', partition: 0, records: [rec(0), rec(1)], nextOffset: 2 })).toEqual({
        inserted: 2,
        updated: 0,
        unchanged: 0,
      });
      const server = await store.server();
      expect(server).toMatchObject({ flavour: 'mariadb', tested: true, rowAlias: false });
      expect(server.version).toMatch(/^10\.11\.\d+$/);
      expect(await readServerInfo(pool)).toEqual(server);
    } finally {
      await pool.end();
    }
  });

  it('MariaDB refuses the row-alias form (a syntax error), so it is never sent there', async () => {
    const conn = await mysql.createConnection({ uri: db.url });
    try {
      const row = toSettlementRow(syntheticSettlement(9, 'flv'), { topic: 't', partition: 0, offset: 9, timestamp: 1_000 });
      await expect(conn.query(upsertSettlementsSql([row], 'row-alias'))).rejects.toMatchObject({ code: 'ER_PARSE_ERROR' });
      await expect(conn.query(upsertOffsetSql('set', 'row-alias'), ['g', 't', 0, 1])).rejects.toMatchObject({ code: 'ER_PARSE_ERROR' });
      // the MariaDB forms of the offset statements: advance never moves back, set does
      await conn.query(upsertOffsetSql('advance'), ['g2', 't', 0, 10]);
      await conn.query(upsertOffsetSql('advance'), ['g2', 't', 0, 5]);
      const offset = async () =>
        ((await conn.query('SELECT next_offset FROM consumer_offsets WHERE group_id = ?', ['g2']))[0] as Array<{ next_offset: number }>)[0]?.next_offset;
      expect(Number(await offset())).toBe(10);
      await conn.query(upsertOffsetSql('set'), ['g2', 't', 0, 5]);
      expect(Number(await offset())).toBe(5);
    } finally {
      await conn.end();
    }
  });

  it('settle doctor’s mysql check names the server in its detail line', async () => {
    const result = await checkMySql({ url: new Secret(db.url), displayUrl: db.url, tls: null } as Parameters<typeof checkMySql>[0]);
    expect(result).toMatchObject({ ok: true, fix: '' });
    expect(result.warning).toBeUndefined();
    expect(result.detail).toMatch(/schema current \(\d+ migration\(s\) applied\); MariaDB 10\.11\.\d+( \(.*\))?: the server the tests run on$/);
    expect(result.detail).not.toContain('untested');
  });
});
