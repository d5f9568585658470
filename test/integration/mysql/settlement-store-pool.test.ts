import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { createSettlementStorePool, STRICT_SESSION_SQL } from '../../../src/infrastructure/mysql/settlement-store-pool.js';
import { stack } from '../../support/producer-stack.js';

const modes = (v: unknown): string[] => String(v).split(',').filter(Boolean).sort();

/**
 * The loader's sessions are strict (settlement-store-pool.ts): the upsert's key guard relies on MySQL refusing a NULL
 * transaction_key rather than storing ''. Checked on the stack's MariaDB, whose own default is strict, and from a
 * session set to a non-strict mode by hand (the server's global default is not touched: other tests share it).
 */
describe("the loader's sessions run in strict mode", () => {
  let conn: mysql.Connection;
  beforeAll(async () => {
    conn = await mysql.createConnection({ uri: stack.mysqlUrl });
  });
  afterAll(async () => {
    await conn?.end();
  });

  it('adds STRICT_TRANS_TABLES to a session without a strict mode, keeping its other modes', async () => {
    await conn.query("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'");
    await conn.query(STRICT_SESSION_SQL);
    const [[row]] = await conn.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m');
    expect(modes(row?.m)).toEqual(['ERROR_FOR_DIVISION_BY_ZERO', 'NO_ENGINE_SUBSTITUTION', 'STRICT_TRANS_TABLES']);
  });

  it('adds it to an empty sql_mode, and leaves a session already strict (STRICT_ALL_TABLES) as it is', async () => {
    await conn.query("SET SESSION sql_mode = ''");
    await conn.query(STRICT_SESSION_SQL);
    const [[empty]] = await conn.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m');
    expect(modes(empty?.m)).toEqual(['STRICT_TRANS_TABLES']);
    await conn.query("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
    await conn.query(STRICT_SESSION_SQL);
    const [[all]] = await conn.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m');
    expect(modes(all?.m)).toEqual(['STRICT_ALL_TABLES']);
  });

  it('starts every pooled session strict when the server default is not (GLOBAL sql_mode set for this test, then restored)', async () => {
    const [[before]] = await conn.query<RowDataPacket[]>('SELECT @@GLOBAL.sql_mode AS m');
    // integration files run one at a time: no other test opens a connection while the global default is changed
    await conn.query("SET GLOBAL sql_mode = 'NO_ENGINE_SUBSTITUTION'");
    try {
      const pool = createSettlementStorePool({ url: new Secret(stack.mysqlUrl), tls: null }, 2);
      try {
        const [a, b] = await Promise.all([pool.getConnection(), pool.getConnection()]);
        try {
          for (const c of [a, b]) {
            const [[row]] = await c.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m');
            // (mysql2's CLIENT_IGNORE_SPACE flag adds IGNORE_SPACE to every session of its connections)
            expect(modes(row?.m).filter((m) => m !== 'IGNORE_SPACE')).toEqual(['NO_ENGINE_SUBSTITUTION', 'STRICT_TRANS_TABLES']);
          }
        } finally {
          a.release();
          b.release();
        }
        // a plain connection opened now is not strict: the pool is what makes its sessions strict
        const plain = await mysql.createConnection({ uri: stack.mysqlUrl });
        const [[row]] = await plain.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m');
        await plain.end();
        expect(modes(row?.m).filter((m) => m !== 'IGNORE_SPACE')).toEqual(['NO_ENGINE_SUBSTITUTION']);
      } finally {
        await pool.end();
      }
    } finally {
      await conn.query('SET GLOBAL sql_mode = ?', [String(before?.m)]);
    }
  });
});
