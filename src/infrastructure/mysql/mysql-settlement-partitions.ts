import type { Connection, RowDataPacket } from 'mysql2/promise';
import { LocalDate } from '../../domain/calendar/local-date.js';
import { type ArchiveStep, type ExistingPartition, FUTURE_PARTITION, type PlannedPartition } from '../../domain/settlement/settlement-partitions.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { translateMySqlError } from './mysql-errors.js';

const TABLE = 'settlements';

/** PARTITION_DESCRIPTION of RANGE COLUMNS on a DATE: `'2025-09-01'` (quoted) or MAXVALUE. */
function boundOf(description: unknown, name: string): LocalDate | null {
  const text = String(description ?? '').trim();
  if (text.toUpperCase() === 'MAXVALUE') return null;
  const m = /^'?(\d{4}-\d{2}-\d{2})'?$/.exec(text);
  if (!m?.[1])
    throw new SettleError(
      'SETTLEMENTS_PARTITIONS_UNEXPECTED',
      `partition ${name} of settlements has bound ${text}, not a date: is it partitioned by RANGE COLUMNS(sold_date)?`,
    );
  return LocalDate.parse(m[1]);
}

const quoteName = (name: string): string => {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new SettleError('INVALID_IDENTIFIER', `refusing identifier "${name}"`);
  return `\`${name}\``;
};

const partitionDef = (p: PlannedPartition) => `PARTITION ${quoteName(p.name)} VALUES LESS THAN ('${p.lessThan.toString()}')`;

export interface MySqlSettlementPartitionsOptions {
  /** lock_wait_timeout (s) of the ALTERs: they need the table's metadata lock, held by running transactions (the consumer's). */
  readonly lockWaitTimeoutSeconds?: number;
}

/**
 * Partition maintenance of `settlements` (migration 0050) on MariaDB 10.11 / MySQL 8: reads
 * information_schema.PARTITIONS, splits daily partitions off p_future (REORGANIZE PARTITION: p_future is
 * normally empty, so it only creates files), moves a whole partition into its own table (EXCHANGE PARTITION, a
 * metadata operation) and drops the emptied partition.
 */
export class MySqlSettlementPartitions {
  #sessionReady: Promise<void> | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly options: MySqlSettlementPartitionsOptions = {},
  ) {}

  /** Runs `fn` holding a named lock, so two maintainers (two `settle produce` runs) do not plan from the same list. */
  async exclusively<T>(fn: () => Promise<T>, waitSeconds = 30): Promise<T> {
    const [lock] = await this.conn
      .query<RowDataPacket[]>("SELECT GET_LOCK(CONCAT(DATABASE(), '.settle_partitions'), ?) AS ok", [waitSeconds])
      .catch(translateMySqlError);
    if (lock[0]?.ok !== 1) throw new SettleError('PARTITIONS_LOCK_TIMEOUT', 'another process is maintaining the partitions of settlements; retry');
    try {
      return await fn();
    } finally {
      await this.conn.query("SELECT RELEASE_LOCK(CONCAT(DATABASE(), '.settle_partitions'))").catch(() => undefined);
    }
  }

  /** The partitions in order; empty when the table is not partitioned. Rows are the engine's estimate. */
  async list(): Promise<ExistingPartition[]> {
    await this.#session();
    const [rows] = await this.conn
      .query<RowDataPacket[]>(
        `SELECT PARTITION_NAME AS name, PARTITION_METHOD AS method, PARTITION_DESCRIPTION AS description, TABLE_ROWS AS approx_rows
           FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION`,
        [TABLE],
      )
      .catch(translateMySqlError);
    if (rows.length === 0) throw new SettleError('SETTLEMENTS_TABLE_MISSING', 'there is no settlements table in this database: run `settle db migrate`');
    if (rows.length === 1 && rows[0]?.name === null) return [];
    const method = String(rows[0]?.method ?? '');
    if (method !== 'RANGE COLUMNS')
      throw new SettleError('SETTLEMENTS_PARTITIONS_UNEXPECTED', `settlements is partitioned by ${method}, expected RANGE COLUMNS(sold_date)`);
    return rows.map((r) => ({ name: String(r.name), lessThan: boundOf(r.description, String(r.name)), approxRows: Number(r.approx_rows ?? 0) }));
  }

  /** Splits the planned daily partitions off p_future in one statement (rows already in p_future move to their day). */
  async add(partitions: readonly PlannedPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    await this.#session();
    const defs = [...partitions.map(partitionDef), `PARTITION ${FUTURE_PARTITION} VALUES LESS THAN (MAXVALUE)`].join(', ');
    await this.conn.query(`ALTER TABLE ${TABLE} REORGANIZE PARTITION ${FUTURE_PARTITION} INTO (${defs})`).catch(translateMySqlError);
  }

  /**
   * Moves one whole partition out of the table: into `step.table` (created empty with the same columns and keys,
   * unpartitioned, then swapped with the partition by EXCHANGE PARTITION) unless it is null, then drops the
   * (now empty) partition. Re-runnable after a crash between the two: an existing archive table is reused only
   * when empty, or when the partition is already empty (the exchange happened; only the drop is left).
   */
  async archive(step: ArchiveStep): Promise<void> {
    await this.#session();
    const partition = quoteName(step.partition);
    if (step.table !== null) {
      const table = quoteName(step.table);
      const exists = await this.#tableExists(step.table);
      if (!exists) {
        await this.conn.query(`CREATE TABLE ${table} LIKE ${TABLE}`).catch(translateMySqlError);
        await this.conn.query(`ALTER TABLE ${table} REMOVE PARTITIONING`).catch(translateMySqlError);
      }
      if (!exists || !(await this.#hasRows(table))) {
        await this.conn.query(`ALTER TABLE ${TABLE} EXCHANGE PARTITION ${partition} WITH TABLE ${table}`).catch(translateMySqlError);
      } else if (await this.#hasRows(`${TABLE} PARTITION (${partition})`)) {
        throw new SettleError(
          'ARCHIVE_TABLE_NOT_EMPTY',
          `${step.table} already holds rows and partition ${step.partition} does too: move or drop ${step.table} first`,
        );
      }
    }
    await this.conn.query(`ALTER TABLE ${TABLE} DROP PARTITION ${partition}`).catch(translateMySqlError);
  }

  async #tableExists(table: string): Promise<boolean> {
    const [rows] = await this.conn
      .query<RowDataPacket[]>('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table])
      .catch(translateMySqlError);
    return rows.length > 0;
  }

  /** `from`: a quoted table, or a table with its PARTITION (…) clause. */
  async #hasRows(from: string): Promise<boolean> {
    const [rows] = await this.conn.query<RowDataPacket[]>(`SELECT 1 FROM ${from} LIMIT 1`).catch(translateMySqlError);
    return rows.length > 0;
  }

  #session(): Promise<void> {
    this.#sessionReady ??= (async () => {
      // MySQL 8 caches TABLE_ROWS for a day by default; MariaDB has no such variable (and no cache)
      await this.conn.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined);
      if (this.options.lockWaitTimeoutSeconds !== undefined)
        await this.conn.query('SET SESSION lock_wait_timeout = ?', [this.options.lockWaitTimeoutSeconds]).catch(translateMySqlError);
    })();
    return this.#sessionReady;
  }
}
