import { bufferPoolNeed, bufferPoolSetting, DEFAULT_HOT_DAYS, formatBytes, INDEX_BYTES_PER_ROW } from '../../domain/capacity/capacity-plan.js';
import type { Config } from '../config/config.js';
import { toSettleError } from '../mysql/mysql-errors.js';
import { failed, passed, warned, type CheckResult } from './health-check.js';
import { connectForCheck } from './mysql-check.js';

export const BUFFER_POOL_CHECK = 'buffer pool';

/**
 * EXPECTED_ROWS_PER_DAY against the server's innodb_buffer_pool_size: the day's secondary index pages take random
 * inserts, and once they outgrow the pool every insert reads from disk and the load slows inside the day. Run
 * after the mysql check passed; a shortfall is a warning (the exit code is unchanged): the load still works, slowly.
 */
export async function checkBufferPool(db: Config['mysql'], rowsPerDay: number, timeoutMs = 3_000): Promise<CheckResult> {
  try {
    const conn = await connectForCheck(db, timeoutMs);
    try {
      const [rows] = await conn.query('SELECT @@innodb_buffer_pool_size AS size');
      const size = Number((rows as Array<{ size: number | string | null }>)[0]?.size ?? NaN);
      if (!Number.isFinite(size)) return failed(BUFFER_POOL_CHECK, `${db.displayUrl}: @@innodb_buffer_pool_size is not a number`, 'use an InnoDB server');
      return bufferPoolResult(size, rowsPerDay);
    } finally {
      await conn.end().catch(() => undefined);
    }
  } catch (error) {
    const e = toSettleError(error);
    return failed(BUFFER_POOL_CHECK, `${db.displayUrl}: cannot read @@innodb_buffer_pool_size: ${e.message}`, 'check MySQL is up and MYSQL_URL', e.retriable);
  }
}

/** The decision: the server's pool against what a day of `rowsPerDay` needs (the same arithmetic as `settle plan`). */
export function bufferPoolResult(serverBytes: number, rowsPerDay: number): CheckResult {
  const need = bufferPoolNeed({ rowsPerDay, indexBytesPerRow: INDEX_BYTES_PER_ROW, hotDays: DEFAULT_HOT_DAYS });
  const n = (v: number) => v.toLocaleString('en-US');
  const sizes = `innodb_buffer_pool_size is ${formatBytes(serverBytes)} (${n(serverBytes)} bytes); EXPECTED_ROWS_PER_DAY=${n(rowsPerDay)} needs`;
  const arithmetic = `${n(need.indexBytesPerRow)} index bytes/row × ${n(rowsPerDay)} rows × ${need.hotDays} hot day${need.hotDays === 1 ? '' : 's'} × ${need.headroom} headroom`;
  const needed = `${formatBytes(need.bufferPoolBytes)} (${n(need.bufferPoolBytes)} bytes = ${arithmetic})`;
  if (serverBytes >= need.bufferPoolBytes) return passed(BUFFER_POOL_CHECK, `${sizes} ${needed}: the day's indexes fit`);
  return warned(
    BUFFER_POOL_CHECK,
    `${sizes} ${needed}: the day's index pages will outgrow the pool and the load slow inside the day`,
    `raise innodb_buffer_pool_size to ${bufferPoolSetting(need.bufferPoolBytes)} or more (server config [mysqld]; SET GLOBAL resizes it online) ` +
      `on a server with that much memory to spare; or lower EXPECTED_ROWS_PER_DAY if days are smaller; ` +
      `\`settle plan --rows N --hot-days 2\` shows the need when replays or late rows of the previous day run during the load`,
  );
}
