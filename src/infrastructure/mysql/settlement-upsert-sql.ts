import { escape } from 'mysql2';
import { SettleError } from '../../domain/shared/settle-error.js';
import { ALL_COLUMNS, DATA_COLUMNS, SOURCE_COLUMNS, type SqlValue } from './settlement-row.js';
import type { ServerInfo } from './server-flavour.js';

/**
 * How an upsert names the incoming row in ON DUPLICATE KEY UPDATE. `values-function`: `VALUES(col)`, the only form
 * MariaDB has (and the one MySQL 8 still accepts, deprecated since 8.0.20). `row-alias`: `INSERT … VALUES … AS
 * incoming … incoming.col`, MySQL ≥ 8.0.19's replacement, a syntax error on MariaDB. Chosen from the server
 * (upsertFormFor); every statement text below comes from `upsertStatements`, the one place that knows both.
 */
export type UpsertForm = 'values-function' | 'row-alias';

export const upsertFormFor = (server: Pick<ServerInfo, 'rowAlias'>): UpsertForm => (server.rowAlias ? 'row-alias' : 'values-function');

const ROW_ALIAS = 'incoming';

interface UpsertStatements {
  /** `INSERT INTO settlements (…) VALUES ` : the rows follow. */
  readonly insertInto: string;
  /** What follows the rows: the row alias, if any, and the ON DUPLICATE KEY UPDATE list. */
  readonly onDuplicate: string;
  /** consumer_offsets: the position only moves forward (GREATEST). */
  readonly advanceOffset: string;
  /** consumer_offsets: the position is set as given (a rewind by `settle replay --kafka`). */
  readonly setOffset: string;
}

const OFFSET_INSERT = 'INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES (?, ?, ?, ?)';

// "Newer record wins" (application/ingest/record-version.ts) in SQL. In ON DUPLICATE KEY UPDATE, a bare column
// name is the stored value and VALUES(col) / incoming.col the incoming one; MySQL and MariaDB assign left to right,
// so every assignment reads the old source_* values until the bookkeeping columns are assigned, last. In the
// row-alias form the stored columns are qualified with the table too, so no name can resolve to the alias.
//
// The first assignment is a guard: ON DUPLICATE KEY UPDATE updates whichever row the insert collided with, by ANY
// unique key. Ours are uk (transaction_key, sold_date), the collision it exists for, and the primary key (id,
// sold_date), which an insert can only hit when the server hands out an auto-increment id already in use. MariaDB
// 10.11 does that while partitions' batches run at once with duplicates in them (LOAD DATA IGNORE, then this upsert,
// over stored keys: a replay), leaving the table's AUTO_INCREMENT at an id in use; the update then wrote one
// settlement's money over ANOTHER transaction's row, silently (docs/architecture.md, "Auto-increment ids in use").
// The guard keeps a stored row's key and sets it to NULL when the incoming row is another transaction: strict mode
// (settlement-store-pool.ts) turns that into error 1048 on transaction_key, the statement fails, the batch rolls
// back, the store moves AUTO_INCREMENT past the largest id and the batch is retried (MYSQL_ROW_ID_COLLISION).
function upsertStatements(form: UpsertForm): UpsertStatements {
  const incoming = form === 'row-alias' ? (c: string) => `${ROW_ALIAS}.${c}` : (c: string) => `VALUES(${c})`;
  const stored = form === 'row-alias' ? (c: string) => `settlements.${c}` : (c: string) => c;
  const alias = form === 'row-alias' ? ` AS ${ROW_ALIAS}` : '';
  const ts = stored('source_timestamp');
  const newer = `(${incoming('source_timestamp')} > ${ts} OR (${incoming('source_timestamp')} = ${ts} AND ${incoming('source_offset')} > ${stored('source_offset')}))`;
  const assign = (c: string) => `${c} = IF(${newer}, ${incoming(c)}, ${stored(c)})`;
  const key = stored('transaction_key');
  const keyGuard = `transaction_key = IF(${key} = ${incoming('transaction_key')}, ${key}, NULL)`;
  const offsetIncoming = form === 'row-alias' ? `${ROW_ALIAS}.next_offset` : 'VALUES(next_offset)';
  const offsetStored = form === 'row-alias' ? 'consumer_offsets.next_offset' : 'next_offset';
  return {
    insertInto: `INSERT INTO settlements (${ALL_COLUMNS.join(', ')}) VALUES `,
    onDuplicate: `${alias} ON DUPLICATE KEY UPDATE ${[keyGuard, ...DATA_COLUMNS.filter((c) => c !== 'transaction_key').map(assign), ...SOURCE_COLUMNS.map(assign)].join(', ')}`,
    advanceOffset: `${OFFSET_INSERT}${alias} ON DUPLICATE KEY UPDATE next_offset = GREATEST(${offsetStored}, ${offsetIncoming})`,
    setOffset: `${OFFSET_INSERT}${alias} ON DUPLICATE KEY UPDATE next_offset = ${offsetIncoming}`,
  };
}

const STATEMENTS: Readonly<Record<UpsertForm, UpsertStatements>> = {
  'values-function': upsertStatements('values-function'),
  'row-alias': upsertStatements('row-alias'),
};

/** Multi-row upsert; `VALUES ?` takes an array of row arrays (mysql2 expands it). The MariaDB form (tests, blockers). */
export const UPSERT_SETTLEMENTS_SQL = `${STATEMENTS['values-function'].insertInto}?${STATEMENTS['values-function'].onDuplicate}`;

// Quoting needs no escaping unless one of these is present: mysql2's set minus the double quote, which is
// an ordinary character inside a single-quoted literal (with or without ANSI_QUOTES) and fills every JSON text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /[\0\b\t\n\r\x1a'\\]/;

/**
 * The upsert with its values inlined, built directly: the generic formatter was the consumer's largest CPU
 * cost (one core is shared by Kafka decoding and SQL building). Strings go through mysql2's escape unless
 * they contain nothing that needs it; numbers are safe integers.
 */
export function upsertSettlementsSql(rows: ReadonlyArray<readonly SqlValue[]>, form: UpsertForm = 'values-function'): string {
  const { insertInto, onDuplicate } = STATEMENTS[form];
  let sql = insertInto;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] ?? [];
    sql += r === 0 ? '(' : ', (';
    for (let c = 0; c < row.length; c++) {
      const v = row[c] ?? null;
      if (c > 0) sql += ', ';
      if (v === null) sql += 'NULL';
      else if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) throw new SettleError('UNSAFE_NUMBER', `column ${ALL_COLUMNS[c] ?? c} holds ${v}, not a safe integer`);
        sql += String(v);
      } else sql += NEEDS_ESCAPE.test(v) ? escape(v) : `'${v}'`;
    }
    sql += ')';
  }
  return sql + onDuplicate;
}

/**
 * A partition's next offset, parameters (group, topic, partition, offset). `advance` (the loader): GREATEST, so a
 * stale writer (a consumer that lost the partition mid-batch) never moves the position back. `set`: a rewind.
 */
export const upsertOffsetSql = (mode: 'advance' | 'set', form: UpsertForm = 'values-function'): string =>
  mode === 'advance' ? STATEMENTS[form].advanceOffset : STATEMENTS[form].setOffset;

/** The loader's offset statement in the MariaDB form. */
export const UPSERT_OFFSET_SQL = upsertOffsetSql('advance');

export const PLACEHOLDER_LIMIT = 65_535;
export const MAX_ROWS_PER_STATEMENT = Math.floor(PLACEHOLDER_LIMIT / ALL_COLUMNS.length);

export interface UpsertResult {
  readonly affectedRows: number;
  readonly info?: string;
}

/**
 * Outcome counts of one upsert statement of `rows` rows, on a connection WITHOUT the CLIENT_FOUND_ROWS flag.
 * Then affectedRows counts 1 per insert, 2 per changed duplicate, 0 per unchanged one, and a multi-row
 * statement's info says "Records: N  Duplicates: D" where D counts the CHANGED duplicates only (the server
 * reports touched ones only under CLIENT_FOUND_ROWS). A single-row statement has no info: affectedRows decides.
 * Verified on MariaDB 10.11; MySQL 8 builds the same message in the same code path.
 */
export function upsertCounts(rows: number, result: UpsertResult): { inserted: number; updated: number; unchanged: number } {
  const m = /Records:\s*(\d+)\s+Duplicates:\s*(\d+)/.exec(result.info ?? '');
  if (!m) {
    if (rows === 1 && result.affectedRows <= 2)
      return { inserted: result.affectedRows === 1 ? 1 : 0, updated: result.affectedRows === 2 ? 1 : 0, unchanged: result.affectedRows === 0 ? 1 : 0 };
    throw new SettleError(
      'UPSERT_RESULT_UNREADABLE',
      `cannot read upsert counts from affectedRows=${result.affectedRows} info="${result.info ?? ''}" for ${rows} rows`,
    );
  }
  const records = Number(m[1]);
  const updated = Number(m[2]);
  const inserted = result.affectedRows - 2 * updated;
  const unchanged = records - inserted - updated;
  if (records !== rows || inserted < 0 || unchanged < 0)
    throw new SettleError(
      'UPSERT_RESULT_UNREADABLE',
      `inconsistent upsert result for ${rows} rows: affectedRows=${result.affectedRows} info="${result.info ?? ''}" (is CLIENT_FOUND_ROWS on?)`,
    );
  return { inserted, updated, unchanged };
}

/** Splits rows into statements under the placeholder limit and a byte budget below max_allowed_packet. */
export function chunkRows<T>(rows: readonly T[], sizeOf: (row: T) => number, maxRows: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  const limit = Math.min(maxRows, MAX_ROWS_PER_STATEMENT);
  for (const row of rows) {
    const size = sizeOf(row);
    if (current.length > 0 && (current.length >= limit || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
