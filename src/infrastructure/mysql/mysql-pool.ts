import mysql, { type Pool, type Connection, type PoolOptions } from 'mysql2/promise';
import type { Config } from '../config/config.js';
import { withQueryTimeout } from './query-timeout.js';

/**
 * Pools and connections with the settings every adapter relies on: DATE/DATETIME come back as strings (dates
 * never pass through the machine's time zone), session time zone UTC, BIGINT as numbers while they are safe.
 */
const common = { dateStrings: true, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: false, charset: 'utf8mb4_bin' } as const;

/** Where and how to connect: the URL (a Secret: it holds the password) and TLS (MYSQL_SSL, MYSQL_SSL_CA). */
export type MySqlTarget = Pick<Config['mysql'], 'url' | 'tls'>;

/**
 * mysql2's `ssl`: the chain is always verified (rejectUnauthorized), against MYSQL_SSL_CA or Node's CAs; the
 * server name too unless verify-ca. A server without TLS is refused (HANDSHAKE_NO_SSL_SUPPORT), never downgraded.
 */
export function mysqlSsl(tls: MySqlTarget['tls']): PoolOptions['ssl'] {
  if (!tls) return undefined;
  return { ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: true, verifyIdentity: tls.verifyServerName };
}

const connectOptions = (target: MySqlTarget) => {
  const ssl = mysqlSsl(target.tls);
  return { uri: target.url.reveal(), ...(ssl ? { ssl } : {}) };
};

/** `tuning`: protocol flags and statement formatting for a pool with special needs (the loader's). */
export function createMySqlPool(target: MySqlTarget, connectionLimit: number, tuning: Pick<PoolOptions, 'flags' | 'queryFormat'> = {}): Pool {
  const pool = mysql.createPool({
    ...connectOptions(target),
    connectionLimit,
    waitForConnections: true,
    maxIdle: connectionLimit,
    idleTimeout: 60_000,
    enableKeepAlive: true,
    ...common,
    ...tuning,
  });
  pool.on('connection', (conn) => {
    conn.query("SET SESSION time_zone = '+00:00'");
  });
  return pool;
}

/** `queryTimeoutMs`: every statement on it, this first one included, is bounded (query-timeout.ts). */
export async function createMySqlConnection(target: MySqlTarget, options: { multipleStatements?: boolean; queryTimeoutMs?: number } = {}): Promise<Connection> {
  const opened = await mysql.createConnection({ ...connectOptions(target), multipleStatements: options.multipleStatements ?? false, ...common });
  const conn = options.queryTimeoutMs === undefined ? opened : withQueryTimeout(opened, options.queryTimeoutMs);
  await conn.query("SET SESSION time_zone = '+00:00'");
  return conn;
}
