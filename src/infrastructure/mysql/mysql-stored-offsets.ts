import type { Pool } from 'mysql2/promise';
import { toSettleError } from './mysql-errors.js';
import { readServerInfo } from './server-flavour.js';
import { upsertFormFor, upsertOffsetSql } from './settlement-upsert-sql.js';

/**
 * Sets the loader's stored offsets (the source of truth the consumer seeks to) of `group` on `topic`, in one
 * transaction: as given (no GREATEST, it is a rewind), in the statement form the server takes.
 */
export async function setStoredOffsets(
  pool: Pool,
  group: string,
  topic: string,
  plan: ReadonlyArray<{ readonly partition: number; readonly offset: string | number }>,
): Promise<void> {
  const conn = await pool.getConnection();
  try {
    const setOffset = upsertOffsetSql('set', upsertFormFor(await readServerInfo(conn)));
    await conn.beginTransaction();
    for (const p of plan) await conn.query(setOffset, [group, topic, p.partition, p.offset]);
    await conn.commit();
  } catch (error) {
    await conn.rollback().catch(() => undefined);
    throw toSettleError(error);
  } finally {
    conn.release();
  }
}
