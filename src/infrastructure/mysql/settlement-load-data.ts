import { Readable } from 'node:stream';
import { SettleError } from '../../domain/shared/settle-error.js';
import { ALL_COLUMNS, DATA_COLUMNS, type SqlValue } from './settlement-row.js';
import { writeDigits } from '../../application/shared/ascii-digits.js';

/**
 * The loader's fast path: a batch's rows as tab-separated text streamed by `LOAD DATA LOCAL INFILE … IGNORE`
 * straight into `settlements`. The text is written into one pre-sized buffer (no statement string for mysql2 to
 * measure, flatten and encode again: on the multi-row upsert those steps cost more CPU than building the rows).
 * IGNORE keeps a row already stored under the same unique key and reports it as skipped; the store then applies
 * the batch's upsert in the same transaction, so "newer record wins" decides those rows as before
 * (mysql-settlement-store.ts).
 */
/**
 * The columns of one LOAD DATA line: the data columns, then the record's offset and timestamp. The batch's topic and
 * partition are the same on every line, so the statement sets them once (`SET source_topic = ?, source_partition = ?`,
 * values [topic, partition]) instead of every line carrying them to the server's parser (~30 bytes a row).
 */
export const LOAD_LINE_COLUMNS = [...DATA_COLUMNS, 'source_offset', 'source_timestamp'] as const;
const SOURCE_OFFSET = ALL_COLUMNS.indexOf('source_offset');
const SOURCE_TIMESTAMP = ALL_COLUMNS.indexOf('source_timestamp');
/**
 * `CHARACTER SET binary`: the server splits the text into fields byte by byte (UTF-8 never puts a byte below 0x80
 * inside a multi-byte character, so a tab, a newline or a backslash is always one) and copies each field into its
 * utf8mb4 column as it would from utf8mb4 text: it checks the bytes are well-formed UTF-8 and warns where they are not
 * (the store then rolls back, as for any altered value). What it skips is utf8mb4's character-by-character reading
 * of the text: ~1.2 µs/row of the server's CPU (docs/performance.md, round nine). The integration test
 * (mysql-settlement-store.test.ts) holds the server to this: Korean and emoji stored exactly, malformed UTF-8 warned.
 */
export const LOAD_SETTLEMENTS_SQL =
  "LOAD DATA LOCAL INFILE 'settlements.tsv' IGNORE INTO TABLE settlements CHARACTER SET binary " +
  `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${LOAD_LINE_COLUMNS.join(', ')}) ` +
  'SET source_topic = ?, source_partition = ?';

export const TAB = 0x09;
export const NEWLINE = 0x0a;
export const CR = 0x0d;
export const BACKSLASH = 0x5c;
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
/** Text as a field of LOAD DATA's default format: backslash, tab, newline, carriage return and NUL escaped. */
export const escapeTsvText = (v: string): string => v.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c] ?? c);

// at most 3 UTF-8 bytes per UTF-16 unit, doubled by escaping; a safe integer's text is at most 17 bytes; a separator
const MAX_BYTES_PER_UNIT = 6;
const MAX_NUMBER_BYTES = 18;

/**
 * Writes rows (ALL_COLUMNS order) as LOAD DATA's default format: fields split by tabs, lines by newlines, NULL as \N,
 * and backslash, tab, newline, carriage return and NUL escaped with a backslash. Numbers must be safe integers.
 * The buffer is kept and reused for the next batch (grown when a batch needs more): a fresh multi-megabyte buffer
 * per batch is memory outside the V8 heap, and V8 answers its growth with full collections.
 *
 * A batch is `reset()`, then rows, then `text()`. A row is `values()` (a whole ALL_COLUMNS row), or for LOAD DATA
 * (LOAD_LINE_COLUMNS) the data columns by `fields()` or written into `buf` at `pos` after `room()` (the Avro fast path:
 * settlement-avro-rows.ts), then `lineEnd()`.
 */
export class TsvWriter {
  /** The buffer being written; replaced (larger) by room(). */
  buf: Buffer;
  /** Bytes written so far in this batch. */
  pos = 0;

  constructor(initialBytes = 256 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  reset(): void {
    this.pos = 0;
  }

  /** Makes sure `bytes` more fit at `pos` (grows `buf`, keeping what is written). */
  room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** A row's fields (ALL_COLUMNS order) and the line's end. */
  values(row: readonly SqlValue[]): void {
    this.fields(row, row.length);
    this.room(1);
    if (row.length > 0) this.pos -= 1; // the last field's tab becomes the line's end
    this.buf[this.pos++] = NEWLINE;
  }

  /** The first `count` fields of a row (ALL_COLUMNS order), each followed by a tab. */
  fields(row: readonly SqlValue[], count: number): void {
    for (let c = 0; c < count; c++) {
      const v = row[c] ?? null;
      if (v === null) {
        this.room(3);
        this.buf[this.pos++] = BACKSLASH;
        this.buf[this.pos++] = 0x4e; // N
      } else if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) throw new SettleError('UNSAFE_NUMBER', `column ${ALL_COLUMNS[c] ?? c} holds ${v}, not a safe integer`);
        this.room(MAX_NUMBER_BYTES);
        this.pos += this.buf.write(String(v), this.pos, 'latin1');
      } else {
        this.room(MAX_BYTES_PER_UNIT * v.length + 1);
        this.pos += this.buf.write(NEEDS_ESCAPE.test(v) ? escapeTsvText(v) : v, this.pos, 'utf8');
      }
      this.buf[this.pos++] = TAB;
    }
  }

  /** The decimal text of a safe integer at `pos` (String(n) without the string, writeDigits; the caller made room). */
  digits(n: number): void {
    if (n < 0) {
      this.buf[this.pos++] = 0x2d; // -
      n = -n;
    }
    this.pos = writeDigits(this.buf, this.pos, n);
  }

  /** A LOAD DATA line (LOAD_LINE_COLUMNS) of a whole row (ALL_COLUMNS order): its data fields, offset and timestamp. */
  loadLine(row: readonly SqlValue[]): void {
    this.fields(row, DATA_COLUMNS.length);
    this.lineEnd(row[SOURCE_OFFSET] as number, row[SOURCE_TIMESTAMP] as number);
  }

  /** The end of a LOAD DATA line (LOAD_LINE_COLUMNS): the record's offset and timestamp (safe integers), then the newline. */
  lineEnd(offset: number, timestamp: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(timestamp))
      throw new SettleError('UNSAFE_NUMBER', `source_offset ${offset} or source_timestamp ${timestamp} is not a safe integer`);
    this.room(2 * MAX_NUMBER_BYTES);
    this.digits(offset);
    this.buf[this.pos++] = TAB;
    this.digits(timestamp);
    this.buf[this.pos++] = NEWLINE;
  }

  /** The batch's TSV: a view into this writer's buffer, valid until the next reset. */
  text(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** The rows' TSV, as one batch: a view into this writer's buffer, valid until the next write. */
  write(rows: ReadonlyArray<readonly SqlValue[]>): Buffer {
    this.reset();
    for (const row of rows) this.values(row);
    return this.text();
  }
}

/** The rows' TSV in a buffer of their own (tests, one-off loads). */
export const settlementTsv = (rows: ReadonlyArray<readonly SqlValue[]>): Buffer => Buffer.from(new TsvWriter(1024).write(rows));

// mysql2 sends each chunk the stream yields as one packet: keep them well below the 16 MB packet limit
const CHUNK_BYTES = 1024 * 1024;

/** The stream mysql2 reads the file from (its `infileStreamFactory`): the buffer in 1 MB views, no copy. */
export function tsvStream(tsv: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < tsv.length; at += CHUNK_BYTES) chunks.push(tsv.subarray(at, at + CHUNK_BYTES));
  return Readable.from(chunks, { objectMode: false });
}

export interface LoadResult {
  readonly affectedRows: number;
  readonly info?: string;
}

/** What LOAD DATA reports: "Records: N  Deleted: 0  Skipped: S  Warnings: W". */
export interface LoadCounts {
  readonly records: number;
  readonly skipped: number;
  readonly warnings: number;
}

export function loadCounts(rows: number, result: LoadResult): LoadCounts {
  const m = /Records:\s*(\d+)\s+Deleted:\s*(\d+)\s+Skipped:\s*(\d+)\s+Warnings:\s*(\d+)/.exec(result.info ?? '');
  const counts = m ? { records: Number(m[1]), skipped: Number(m[3]), warnings: Number(m[4]) } : null;
  if (!counts || counts.records !== rows || result.affectedRows !== rows - counts.skipped)
    throw new SettleError(
      'LOAD_RESULT_UNREADABLE',
      `cannot read LOAD DATA counts for ${rows} rows from affectedRows=${result.affectedRows} info="${result.info ?? ''}"`,
    );
  return counts;
}
