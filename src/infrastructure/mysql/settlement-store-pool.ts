import { format } from 'mysql2';
import mysql, { type Pool } from 'mysql2/promise';
import type { Secret } from '../config/secret.js';

/**
 * The loader's pool. Same settings as createMySqlPool (dates as strings, UTC session, safe BIGINTs), but
 * WITHOUT mysql2's default CLIENT_FOUND_ROWS flag: only then does an upsert's affectedRows tell an unchanged
 * duplicate (0) from an insert (1), which the inserted/updated/unchanged counts rely on.
 */
export function createSettlementStorePool(url: Secret, connectionLimit: number): Pool {
  const pool = mysql.createPool({
    uri: url.reveal(),
    connectionLimit,
    maxIdle: connectionLimit,
    idleTimeout: 60_000,
    waitForConnections: true,
    enableKeepAlive: true,
    dateStrings: true,
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4_bin',
    flags: ['-FOUND_ROWS'],
    // a statement without values is sent as is: mysql2 would otherwise scan each 1 MB upsert for placeholders
    queryFormat: (sql: string, values: unknown) => (Array.isArray(values) && values.length > 0 ? format(sql, values, false, 'Z') : sql),
  });
  pool.on('connection', (conn) => {
    conn.query("SET SESSION time_zone = '+00:00'");
  });
  return pool;
}
