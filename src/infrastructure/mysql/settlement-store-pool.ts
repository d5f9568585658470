import { format } from 'mysql2';
import type { Pool } from 'mysql2/promise';
import { createMySqlPool, type MySqlTarget } from './mysql-pool.js';

/**
 * The loader's pool: createMySqlPool's settings, but WITHOUT mysql2's default CLIENT_FOUND_ROWS flag: only
 * then does an upsert's affectedRows tell an unchanged duplicate (0) from an insert (1), which the
 * inserted/updated/unchanged counts rely on.
 */
export function createSettlementStorePool(target: MySqlTarget, connectionLimit: number): Pool {
  return createMySqlPool(target, connectionLimit, {
    flags: ['-FOUND_ROWS'],
    // a statement without values is sent as is: mysql2 would otherwise scan each 1 MB upsert for placeholders
    queryFormat: (sql: string, values: unknown) => (Array.isArray(values) && values.length > 0 ? format(sql, values, false, 'Z') : sql),
  });
}
