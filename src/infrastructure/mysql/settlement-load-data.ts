import { Readable } from 'node:stream';
import { SettleError } from '../../domain/shared/settle-error.js';
import { ALL_COLUMNS, type SqlValue } from './settlement-row.js';

/**
 * The loader's fast path: a batch's rows as tab-separated text streamed by `LOAD DATA LOCAL INFILE … IGNORE`
 * straight into `settlements`. The text is written into one pre-sized buffer (no statement string for mysql2 to
 * measure, flatten and encode again: on the multi-row upsert those steps cost more CPU than building the rows).
 * IGNORE keeps a row already stored under the same unique key and reports it as skipped; the store then applies
 * the batch's upsert in the same transaction, so "newer record wins" decides those rows as before
 * (mysql-settlement-store.ts).
 */
export const LOAD_SETTLEMENTS_SQL =
  "LOAD DATA LOCAL INFILE 'settlements.tsv' IGNORE INTO TABLE settlements CHARACTER SET utf8mb4 " +
  `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${ALL_COLUMNS.join(', ')})`;

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
/** Text as a field of LOAD DATA's default format: backslash, tab, newline, carriage return and NUL escaped. */
export const escapeTsvText = (v: string): string => v.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c] ?? c);

// UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units)
const MAX_UTF8_BYTES_PER_UNIT = 3;
// lines joined into one string before it is encoded: one encode call per group instead of one per field or row
const LINES_PER_ENCODE = 32;

/**
 * Writes rows (ALL_COLUMNS order) as LOAD DATA's default format: fields split by tabs, lines by newlines, NULL as \N,
 * and backslash, tab, newline, carriage return and NUL escaped with a backslash. Numbers must be safe integers.
 * Each row becomes one JS string and every 32 lines are encoded to UTF-8 at once (TextEncoder.encodeInto): a
 * Buffer.write per field cost more than building the text, and Korean text makes a string two-byte, which
 * Buffer.write encodes at a fraction of encodeInto's speed.
 * The buffer is kept and reused for the next batch (grown when a batch needs more): a fresh multi-megabyte buffer
 * per batch is memory outside the V8 heap, and V8 answers its growth with full collections.
 */
export class TsvWriter {
  #buf: Buffer;
  readonly #encoder = new TextEncoder();

  constructor(initialBytes = 256 * 1024) {
    this.#buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** The rows' TSV: a view into this writer's buffer, valid until the next write. */
  write(rows: ReadonlyArray<readonly SqlValue[]>): Buffer {
    let pos = 0;
    let text = '';
    for (let r = 0; r < rows.length; r++) {
      text += tsvLine(rows[r] as readonly SqlValue[]);
      if ((r + 1) % LINES_PER_ENCODE === 0 || r === rows.length - 1) {
        pos = this.#encode(text, pos);
        text = '';
      }
    }
    return this.#buf.subarray(0, pos);
  }

  /** `text` as UTF-8 at `pos` (the buffer grown first when it might not fit); the position after it. */
  #encode(text: string, pos: number): number {
    const most = MAX_UTF8_BYTES_PER_UNIT * text.length;
    if (pos + most > this.#buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.#buf.length, pos + most));
      this.#buf.copy(grown, 0, 0, pos);
      this.#buf = grown;
    }
    return pos + this.#encoder.encodeInto(text, this.#buf.subarray(pos)).written;
  }
}

/** One row as a TSV line, newline included. */
function tsvLine(row: readonly SqlValue[]): string {
  let line = '';
  for (let c = 0; c < row.length; c++) {
    const v = row[c] ?? null;
    const field = v === null ? '\\N' : typeof v === 'number' ? safeInteger(v, c) : NEEDS_ESCAPE.test(v) ? escapeTsvText(v) : v;
    line += c === 0 ? field : `\t${field}`;
  }
  return `${line}\n`;
}

function safeInteger(v: number, column: number): string {
  if (!Number.isSafeInteger(v)) throw new SettleError('UNSAFE_NUMBER', `column ${ALL_COLUMNS[column] ?? column} holds ${v}, not a safe integer`);
  return String(v);
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
