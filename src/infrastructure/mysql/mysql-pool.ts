import mysql, { type Pool, type Connection, type PoolOptions } from 'mysql2/promise';
import type { Secret } from '../config/secret.js';

/**
 * Pools and connections with the settings every adapter relies on: DATE/DATETIME come back as strings (dates
 * never pass through the machine's time zone), session time zone UTC, BIGINT as numbers while they are safe.
 */
const common = { dateStrings: true, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: false, charset: 'utf8mb4_bin' } as const;

/** `tuning`: protocol flags and statement formatting for a pool with special needs (the loader's). */
export function createMySqlPool(url: Secret, connectionLimit: number, tuning: Pick<PoolOptions, 'flags' | 'queryFormat'> = {}): Pool {
  const pool = mysql.createPool({ uri: url.reveal(), connectionLimit, waitForConnections: true, maxIdle: connectionLimit, idleTimeout: 60_000, enableKeepAlive: true, ...common, ...tuning });
  pool.on('connection', (conn) => {
    conn.query("SET SESSION time_zone = '+00:00'");
  });
  return pool;
}

export async function createMySqlConnection(url: Secret, options: { multipleStatements?: boolean } = {}): Promise<Connection> {
  const conn = await mysql.createConnection({ uri: url.reveal(), multipleStatements: options.multipleStatements ?? false, ...common });
  await conn.query("SET SESSION time_zone = '+00:00'");
  return conn;
}
