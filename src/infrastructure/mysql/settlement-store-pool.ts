import { format } from 'mysql2';
import type { Pool } from 'mysql2/promise';
import { createMySqlPool, type MySqlTarget } from './mysql-pool.js';

/**
 * Strict mode on every loader session, whatever the server's default: the upsert's key guard (settlement-upsert-sql.ts)
 * sets transaction_key to NULL on a row that is not the incoming transaction, which strict mode refuses (error 1048)
 * and a non-strict session would store as '' with a warning. The server's other modes are kept.
 */
export const STRICT_SESSION_SQL =
  "SET SESSION sql_mode = IF(FIND_IN_SET('STRICT_TRANS_TABLES', @@SESSION.sql_mode) OR FIND_IN_SET('STRICT_ALL_TABLES', @@SESSION.sql_mode), " +
  "@@SESSION.sql_mode, CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_TRANS_TABLES'))";

/**
 * The loader's pool: createMySqlPool's settings, but WITHOUT mysql2's default CLIENT_FOUND_ROWS flag: only
 * then does an upsert's affectedRows tell an unchanged duplicate (0) from an insert (1), which the
 * inserted/updated/unchanged counts rely on; and every session in strict mode (STRICT_SESSION_SQL).
 */
export function createSettlementStorePool(target: MySqlTarget, connectionLimit: number): Pool {
  const pool = createMySqlPool(target, connectionLimit, {
    flags: ['-FOUND_ROWS'],
    // a statement without values is sent as is: mysql2 would otherwise scan each 1 MB upsert for placeholders
    queryFormat: (sql: string, values: unknown) => (Array.isArray(values) && values.length > 0 ? format(sql, values, false, 'Z') : sql),
  });
  // queued on the new connection before anything the pool hands it out for, like createMySqlPool's time zone
  pool.on('connection', (conn) => {
    conn.query(STRICT_SESSION_SQL);
  });
  return pool;
}
