import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { SettlementStore, StoreBatch, StoredRecord, UpsertCounts } from '../../application/ingest/ports.js';
import { SettleError, isSettleError } from '../../domain/shared/settle-error.js';
import { toSettleError } from './mysql-errors.js';
import { queryPool, withQueryTimeout } from './query-timeout.js';
import { CONFLUENT_HEADER_BYTES } from '../kafka/settlement-serde.js';
import { type SqlValue, toSettlementRow } from './settlement-row.js';
import { serverInfo, type ServerInfo } from './server-flavour.js';
import { chunkRows, upsertCounts, type UpsertForm, upsertFormFor, upsertOffsetSql, upsertSettlementsSql } from './settlement-upsert-sql.js';
import { LOAD_SETTLEMENTS_SQL, loadCounts, TsvWriter, tsvStream } from './settlement-load-data.js';
import type { SettlementAvroRows } from './settlement-avro-rows.js';

export interface MySqlSettlementStoreOptions {
  /** Rows per INSERT statement (capped by the 65,535-placeholder limit). */
  readonly rowsPerStatement?: number;
  /** Upper bound on one statement's size; the effective budget is also ≤ half of max_allowed_packet. */
  readonly maxStatementBytes?: number;
  /** Deadline of each statement (MYSQL_QUERY_TIMEOUT_MS): a stalled server fails the batch (retried) instead of hanging it. */
  readonly queryTimeoutMs?: number;
  /** The upsert's statement form; by default chosen from the server (VERSION()) on the first batch. */
  readonly upsertForm?: UpsertForm;
  /**
   * Load each batch with LOAD DATA LOCAL INFILE when the server allows it (@@local_infile), the upsert only for rows
   * already stored (CONSUMER_LOAD_DATA; default true). false: every batch by the multi-row upsert.
   */
  readonly loadData?: boolean;
  /**
   * Writes a LOAD DATA line straight from a record's Avro bytes (settlement-avro-rows.ts), for records whose
   * `value` the decoder marked as in the reader's layout; without it (or when it declines a row) the row is
   * written from its settlement.
   */
  readonly rowsFromBytes?: Pick<SettlementAvroRows, 'write'> | null;
}

interface ServerFacts {
  readonly budget: number;
  readonly form: UpsertForm;
  readonly server: ServerInfo;
  /** LOAD DATA LOCAL INFILE is wanted and the server accepts it. */
  readonly loadData: boolean;
}

/**
 * SettlementStore on MariaDB 10.11 (tested) and MySQL ≥ 8.0.19 (the upsert's row-alias form, see server-flavour.ts). One transaction per batch: multi-row upserts ordered by
 * transaction_key (concurrent partitions then lock index entries in the same order, fewer deadlocks), then
 * the partition's next offset. The pool must come from createSettlementStorePool (no CLIENT_FOUND_ROWS, strict mode).
 *
 * The upsert never overwrites another transaction's row: when the server hands an insert an auto-increment id already
 * in use (MariaDB 10.11 does, rarely, under concurrent batches), its key guard fails the statement and the batch is
 * retried (MYSQL_ROW_ID_COLLISION); a row LOAD DATA IGNORE skipped for that reason is inserted by the upsert after it.
 *
 * Two ways to write the rows, same counts and rule:
 * - LOAD DATA (the default when the server's local_infile is on): the batch as TSV bytes, `IGNORE` into
 *   `settlements`. A fresh day's rows are new, so that is the whole batch. Rows whose key is already stored are
 *   skipped by the server; then the multi-row upsert of the batch runs in the same transaction and decides them
 *   by "newer record wins" (the rows just loaded compare equal to themselves: unchanged). A warning beyond the
 *   skipped rows means the server altered a value (a text too long, say): the transaction is rolled back and the
 *   batch goes through the upsert, which refuses such a value as an error.
 * - the multi-row upsert alone (CONSUMER_LOAD_DATA=false, or a server with local_infile off).
 */
export class MySqlSettlementStore implements SettlementStore {
  private facts: Promise<ServerFacts> | null = null;
  private readonly inFlight = new Set<PoolConnection>();
  /** TSV buffers of finished loads, reused by the next batches (one per batch in flight at most). */
  private readonly spareWriters: TsvWriter[] = [];
  private readonly rowsPerStatement: number;
  private readonly maxStatementBytes: number;
  private readonly queryTimeoutMs: number;
  private readonly upsertForm: UpsertForm | undefined;
  private readonly loadData: boolean;
  private readonly rowsFromBytes: Pick<SettlementAvroRows, 'write'> | null;

  constructor(
    private readonly pool: Pool,
    options: MySqlSettlementStoreOptions = {},
  ) {
    this.rowsPerStatement = options.rowsPerStatement ?? 1000;
    this.maxStatementBytes = options.maxStatementBytes ?? 4 * 1024 * 1024; // 4 MiB
    this.queryTimeoutMs = options.queryTimeoutMs ?? 60_000;
    this.upsertForm = options.upsertForm;
    this.loadData = options.loadData ?? true;
    this.rowsFromBytes = options.rowsFromBytes ?? null;
  }

  async applyBatch(batch: StoreBatch): Promise<UpsertCounts> {
    try {
      return await this.applyOnce(batch);
    } catch (error) {
      // rolled back and released: the repair's ALTER waits for no transaction of ours
      if (isSettleError(error) && error.code === 'MYSQL_ROW_ID_COLLISION') await this.repairAutoIncrement();
      throw error;
    }
  }

  private async applyOnce(batch: StoreBatch): Promise<UpsertCounts> {
    // stable: two versions of one key keep their log order, so the later one is applied last
    const rows = [...batch.records].sort((a, b) => {
      const x = a.transactionKey ?? a.settlement.transactionKey;
      const y = b.transactionKey ?? b.settlement.transactionKey;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const facts = await this.serverFacts();
    let conn: PoolConnection | null = null;
    try {
      conn = withQueryTimeout(await this.pool.getConnection(), this.queryTimeoutMs);
      this.inFlight.add(conn);
      await conn.beginTransaction();
      const loading = facts.loadData && rows.length > 0;
      let counts = loading ? await this.load(conn, batch, rows, facts) : null;
      if (counts === null) {
        if (loading) {
          // the server altered a value while loading: start over with the upsert, which refuses it
          await conn.rollback();
          await conn.beginTransaction();
        }
        counts = await this.upsert(conn, batch, rows, facts);
      }
      await conn.query(upsertOffsetSql('advance', facts.form), [batch.group, batch.topic, batch.partition, batch.nextOffset]);
      await conn.commit();
      return counts;
    } catch (error) {
      // a lost (or abandoned: no answer in time) connection fails this at once; the server rolls back on its own
      if (conn) await conn.rollback().catch(() => undefined);
      throw rowIdCollision(error) ?? toSettleError(error);
    } finally {
      if (conn) this.inFlight.delete(conn);
      conn?.release();
    }
  }

  /**
   * After the key guard fired: the table's AUTO_INCREMENT was at or below an id in use, and it stays there (the failed
   * statement gives its ids back), so every retry would collide again. `AUTO_INCREMENT = 1` makes the server set it past
   * the largest id (InnoDB never sets it lower). It needs the table's metadata lock, so it waits for the transactions
   * open on the table, and every later one waits behind it: the wait is cut to REPAIR_LOCK_WAIT_S, not the server's
   * lock_wait_timeout (a day by default), in case someone holds the table. If it fails (no ALTER privilege, the lock not
   * had in time) the retry collides and the error says what to run.
   */
  private async repairAutoIncrement(): Promise<void> {
    try {
      const conn = withQueryTimeout(await this.pool.getConnection(), this.queryTimeoutMs);
      try {
        await conn.query(`SET SESSION lock_wait_timeout = ${REPAIR_LOCK_WAIT_S}`);
        await conn.query(REPAIR_AUTO_INCREMENT_SQL).finally(() => conn.query('SET SESSION lock_wait_timeout = DEFAULT'));
      } finally {
        conn.release();
      }
    } catch {
      // the batch's own error is what the caller reports
    }
  }

  /** LOAD DATA of the batch; the upsert for the rows the server skipped. null: a value was altered (roll back). */
  private async load(conn: PoolConnection, batch: StoreBatch, rows: readonly StoredRecord[], facts: ServerFacts): Promise<UpsertCounts | null> {
    const writer = this.spareWriters.pop() ?? new TsvWriter();
    const tsv = this.loadText(writer, batch, rows);
    const [result] = await conn.query<ResultSetHeader>({
      sql: LOAD_SETTLEMENTS_SQL,
      values: [batch.topic, batch.partition],
      infileStreamFactory: () => tsvStream(tsv),
    });
    // answered: mysql2 has sent (copied) every byte. After a failure the writer is dropped: a stream may still read it
    this.spareWriters.push(writer);
    const loaded = loadCounts(rows.length, result);
    // every skipped row (a key already stored) warns once (1062); any further warning is a value the server changed
    if (loaded.warnings > loaded.skipped) return null;
    if (loaded.skipped === 0) return { inserted: rows.length, updated: 0, unchanged: 0 };
    // IGNORE also skips a new row whose auto-increment id collided with a stored row's primary key (see the upsert's
    // key guard): the upsert inserts it, with a fresh id. Every other skipped row is a stored key it decides.
    const decided = await this.upsert(conn, batch, rows, facts);
    const inserted = rows.length - loaded.skipped + decided.inserted;
    return { inserted, updated: decided.updated, unchanged: rows.length - inserted - decided.updated };
  }

  /**
   * The batch's LOAD DATA text: each row from its record's bytes when the fast path takes it, else from its
   * settlement (the same line either way: settlement-avro-rows.test.ts).
   */
  private loadText(writer: TsvWriter, batch: StoreBatch, rows: readonly StoredRecord[]): Buffer {
    const fast = this.rowsFromBytes;
    writer.reset();
    for (const r of rows) {
      if (fast !== null && r.value !== undefined && r.approvedAtMs !== undefined && fast.write(writer, r.value, CONFLUENT_HEADER_BYTES, r.approvedAtMs))
        writer.lineEnd(r.offset, r.timestamp);
      else writer.loadLine(rowValues(batch, r));
    }
    return writer.text();
  }

  /** The batch as multi-row upserts under the statement budget. */
  private async upsert(conn: PoolConnection, batch: StoreBatch, records: readonly StoredRecord[], facts: ServerFacts): Promise<UpsertCounts> {
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    const rows = records.map((r) => rowValues(batch, r));
    for (const chunk of chunkRows(rows, approxBytes, this.rowsPerStatement, facts.budget)) {
      const [result] = await conn.query<ResultSetHeader>(upsertSettlementsSql(chunk, facts.form));
      const c = upsertCounts(chunk.length, result);
      counts.inserted += c.inserted;
      counts.updated += c.updated;
      counts.unchanged += c.unchanged;
    }
    return counts;
  }

  /**
   * Shutdown past its soft deadline: interrupts the statements of batches still in flight (e.g. waiting on a
   * row lock) so their transactions roll back now. KILL QUERY, not closing the socket: a server blocked in a
   * lock wait does not notice a closed client until the wait ends.
   */
  async abortInFlight(): Promise<number> {
    const threads = [...this.inFlight].map((c) => c.threadId);
    await Promise.all(threads.map((id) => queryPool(this.pool, this.queryTimeoutMs, 'KILL QUERY ?', [id]).catch(() => undefined)));
    return threads.length;
  }

  async storedOffsets(group: string, topic: string): Promise<Map<number, number>> {
    try {
      const rows = await queryPool<RowDataPacket[]>(
        this.pool,
        this.queryTimeoutMs,
        'SELECT kafka_partition, next_offset FROM consumer_offsets WHERE group_id = ? AND topic = ?',
        [group, topic],
      );
      return new Map(rows.map((r) => [Number(r.kafka_partition), Number(r.next_offset)]));
    } catch (error) {
      throw toSettleError(error);
    }
  }

  /** The server this store writes to (asked once, with the first batch). */
  async server(): Promise<ServerInfo> {
    return (await this.serverFacts()).server;
  }

  /** One round trip before the first batch: the statement byte budget and which server (so which upsert form). */
  private serverFacts(): Promise<ServerFacts> {
    this.facts ??= queryPool<RowDataPacket[]>(
      this.pool,
      this.queryTimeoutMs,
      'SELECT @@max_allowed_packet AS packet, VERSION() AS version, @@version_comment AS comment, @@local_infile AS localInfile',
    )
      .then((rows) => {
        const server = serverInfo(String(rows[0]?.version ?? ''), String(rows[0]?.comment ?? ''));
        return {
          budget: Math.min(this.maxStatementBytes, Math.floor(Number(rows[0]?.packet ?? 4_194_304) / 2)),
          server,
          form: this.upsertForm ?? upsertFormFor(server),
          loadData: this.loadData && Number(rows[0]?.localInfile) === 1,
        };
      })
      .catch((error: unknown) => {
        this.facts = null;
        throw toSettleError(error);
      });
    return this.facts;
  }
}

/**
 * The upsert's key guard refused to overwrite another transaction's row (settlement-upsert-sql.ts): MySQL error 1048 on
 * transaction_key. Transient: the rolled-back batch gets fresh auto-increment ids when it is tried again.
 */
function rowIdCollision(error: unknown): SettleError | null {
  const e = (error ?? {}) as { code?: unknown; sqlMessage?: unknown };
  if (e.code !== 'ER_BAD_NULL_ERROR' || typeof e.sqlMessage !== 'string' || !e.sqlMessage.includes("'transaction_key'")) return null;
  return new SettleError(
    'MYSQL_ROW_ID_COLLISION',
    "MySQL gave an incoming settlement the auto-increment id of another stored row, whose upsert would have overwritten that row; the upsert's guard refused it, the batch is rolled back and the table's AUTO_INCREMENT set past its largest id (if this repeats, run: " +
      `${REPAIR_AUTO_INCREMENT_SQL})`,
    { cause: error, details: { mysqlCode: e.code } },
  );
}

export const REPAIR_AUTO_INCREMENT_SQL = 'ALTER TABLE settlements AUTO_INCREMENT = 1';
const REPAIR_LOCK_WAIT_S = 5;

const rowValues = (batch: StoreBatch, r: StoredRecord): SqlValue[] =>
  toSettlementRow(r.settlement, { topic: batch.topic, partition: batch.partition, offset: r.offset, timestamp: r.timestamp }, r.approvedAtMs);

// UTF-8 is at most 3 bytes per UTF-16 unit here (Korean text); escaping can double quotes: stay pessimistic.
function approxBytes(values: readonly SqlValue[]): number {
  let n = 8 * values.length;
  for (const v of values) if (typeof v === 'string') n += v.length * 3;
  return n;
}
