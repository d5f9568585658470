import { escape } from 'mysql2';
import { SettleError } from '../../domain/shared/settle-error.js';
import { ALL_COLUMNS, DATA_COLUMNS, SOURCE_COLUMNS, type SqlValue } from './settlement-row.js';

// "Newer record wins" (application/ingest/record-version.ts) in SQL. In ON DUPLICATE KEY UPDATE, a bare
// column name is the stored value and VALUES(col) the incoming one; MySQL and MariaDB assign left to right,
// so every assignment reads the old source_* values until the bookkeeping columns are assigned, last.
const NEWER = '(VALUES(source_timestamp) > source_timestamp OR (VALUES(source_timestamp) = source_timestamp AND VALUES(source_offset) > source_offset))';

const assign = (c: string) => `${c} = IF(${NEWER}, VALUES(${c}), ${c})`;

const INSERT_INTO = `INSERT INTO settlements (${ALL_COLUMNS.join(', ')}) VALUES `;
const ON_DUPLICATE = ` ON DUPLICATE KEY UPDATE ${[...DATA_COLUMNS.filter((c) => c !== 'transaction_key'), ...SOURCE_COLUMNS].map(assign).join(', ')}`;

/** Multi-row upsert; `VALUES ?` takes an array of row arrays (mysql2 expands it). Valid on MySQL 8 and MariaDB. */
export const UPSERT_SETTLEMENTS_SQL = `${INSERT_INTO}?${ON_DUPLICATE}`;

// Quoting needs no escaping unless one of these is present: mysql2's set minus the double quote, which is
// an ordinary character inside a single-quoted literal (with or without ANSI_QUOTES) and fills every JSON text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /[\0\b\t\n\r\x1a'\\]/;

/**
 * The upsert with its values inlined, built directly: the generic formatter was the consumer's largest CPU
 * cost (one core is shared by Kafka decoding and SQL building). Strings go through mysql2's escape unless
 * they contain nothing that needs it; numbers are safe integers.
 */
export function upsertSettlementsSql(rows: ReadonlyArray<readonly SqlValue[]>): string {
  let sql = INSERT_INTO;
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
  return sql + ON_DUPLICATE;
}

/** GREATEST: a stale writer (a consumer that lost the partition mid-batch) never moves the position back. */
export const UPSERT_OFFSET_SQL =
  'INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE next_offset = GREATEST(next_offset, VALUES(next_offset))';

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
    if (rows === 1 && result.affectedRows <= 2) return { inserted: result.affectedRows === 1 ? 1 : 0, updated: result.affectedRows === 2 ? 1 : 0, unchanged: result.affectedRows === 0 ? 1 : 0 };
    throw new SettleError('UPSERT_RESULT_UNREADABLE', `cannot read upsert counts from affectedRows=${result.affectedRows} info="${result.info ?? ''}" for ${rows} rows`);
  }
  const records = Number(m[1]);
  const updated = Number(m[2]);
  const inserted = result.affectedRows - 2 * updated;
  const unchanged = records - inserted - updated;
  if (records !== rows || inserted < 0 || unchanged < 0)
    throw new SettleError('UPSERT_RESULT_UNREADABLE', `inconsistent upsert result for ${rows} rows: affectedRows=${result.affectedRows} info="${result.info ?? ''}" (is CLIENT_FOUND_ROWS on?)`);
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
