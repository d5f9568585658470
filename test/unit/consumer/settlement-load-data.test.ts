import { describe, expect, it } from 'vitest';
import { ALL_COLUMNS, DATA_COLUMNS, type SqlValue, toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import {
  LOAD_LINE_COLUMNS,
  LOAD_SETTLEMENTS_SQL,
  loadCounts,
  settlementTsv,
  TsvWriter,
  tsvStream,
} from '../../../src/infrastructure/mysql/settlement-load-data.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';

/** LOAD DATA's default format written the plain way: what settlementTsv must produce byte for byte. */
const referenceTsv = (rows: ReadonlyArray<readonly SqlValue[]>): Buffer =>
  Buffer.from(
    rows
      .map(
        (row) =>
          `${row
            .map((v) =>
              v === null
                ? '\\N'
                : typeof v === 'number'
                  ? String(v)
                  : v.replace(/[\\\t\n\r\0]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' })[c] ?? c),
            )
            .join('\t')}\n`,
      )
      .join(''),
    'utf8',
  );

const source = (i: number) => ({ topic: 't', partition: 1, offset: i, timestamp: 1_739_000_000_000 + i });

describe('settlementTsv', () => {
  it('writes the rows as the plain reference would, with tabs, newlines, backslashes, NUL, \\N-looking text, NULLs and Korean', () => {
    const base = syntheticSettlement(1, 'tsv');
    const tricky = { ...base, orderId: "O'Brien\\x", method: '카드\n\0\r\t', card: { ...base.card, company: '\\N 현대 "카드" 😀' } };
    const rows = [syntheticSettlement(0, 'tsv'), tricky, syntheticSettlement(9, 'tsv'), syntheticSettlement(4_009, 'tsv')].map((s, i) =>
      toSettlementRow(s, source(i)),
    );
    expect(rows.flat()).toContain(null); // the rows hold NULLs (\N)
    const tsv = settlementTsv(rows);
    expect(tsv.equals(referenceTsv(rows))).toBe(true);
    // one line per row, one field per column: escaped tabs and newlines stay inside their field
    const lines = tsv.toString('utf8').split('\n');
    expect(lines).toHaveLength(rows.length + 1);
    for (const line of lines.slice(0, -1)) expect(line.split('\t')).toHaveLength(ALL_COLUMNS.length);
  });

  it('refuses a number that is not a safe integer instead of writing a rounded amount', () => {
    const row = toSettlementRow({ ...syntheticSettlement(0, 'tsv'), amount: 2 ** 53 + 2 }, source(0));
    expect(() => settlementTsv([row])).toThrow(/amount holds/);
  });

  it('reuses its buffer across batches, growing it when a batch needs more, each write as the reference', () => {
    const writer = new TsvWriter(64); // far too small for one row: grows on the first write
    const batches = [[0, 1, 2], [3], Array.from({ length: 50 }, (_, i) => 10 + i), [4_009]].map((keys) =>
      keys.map((k) => toSettlementRow(syntheticSettlement(k, 'reuse'), source(k))),
    );
    for (const rows of batches) expect(writer.write(rows).equals(referenceTsv(rows))).toBe(true);
  });

  it('writes an empty buffer for no rows', () => {
    expect(settlementTsv([]).length).toBe(0);
  });
});

describe('TsvWriter.digits', () => {
  it('writes every safe integer as String(n): both sides of 2^31 and 10^9, the ends of the safe range, negatives, timestamps', () => {
    const edges = [0, 1, 9, 10, 99, 100, 2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 10 ** 9 - 1, 10 ** 9, 10 ** 9 + 7, 10 ** 10, 1_738_540_800_000, 2 ** 53 - 1];
    let x = 0x2545f491;
    const seeded = Array.from({ length: 2_000 }, (_, i) => {
      x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((x / 2 ** 31) * 10 ** (1 + (i % 16)));
    });
    const numbers = [...edges, ...edges.map((n) => -n), ...seeded, ...seeded.map((n) => -n)];
    const w = new TsvWriter(64);
    for (const n of numbers) {
      w.reset();
      w.room(32);
      w.digits(n);
      expect(w.buf.toString('latin1', 0, w.pos)).toBe(String(n));
    }
  });
});

describe('tsvStream', () => {
  it('streams the buffer in views of at most 1 MB that add up to it', async () => {
    const tsv = Buffer.alloc(2.5 * 1024 * 1024, 0x61);
    const chunks: Buffer[] = [];
    for await (const chunk of tsvStream(tsv)) chunks.push(chunk as Buffer);
    expect(chunks.map((c) => c.length)).toEqual([1024 * 1024, 1024 * 1024, 0.5 * 1024 * 1024]);
    expect(Buffer.concat(chunks).equals(tsv)).toBe(true);
  });
});

describe('LOAD_SETTLEMENTS_SQL and loadCounts', () => {
  it('loads with IGNORE into settlements, in the columns of settlement-row.ts, in the default escaping, the topic and partition set once', () => {
    expect(LOAD_SETTLEMENTS_SQL).toContain(' IGNORE INTO TABLE settlements CHARACTER SET binary ');
    expect(LOAD_SETTLEMENTS_SQL).toContain(`FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'`);
    expect(LOAD_LINE_COLUMNS).toEqual([...DATA_COLUMNS, 'source_offset', 'source_timestamp']);
    expect(LOAD_SETTLEMENTS_SQL.endsWith(`(${LOAD_LINE_COLUMNS.join(', ')}) SET source_topic = ?, source_partition = ?`)).toBe(true);
    // every column of the table's row is either on the line or set
    expect(new Set([...LOAD_LINE_COLUMNS, 'source_topic', 'source_partition'])).toEqual(new Set(ALL_COLUMNS));
  });

  it('writes a LOAD DATA line as the data fields, then offset and timestamp', () => {
    const row = toSettlementRow(syntheticSettlement(3, 'line'), source(3));
    const writer = new TsvWriter(16);
    writer.fields(row, DATA_COLUMNS.length);
    writer.lineEnd(3, -1_739_000_000_003);
    const full = referenceTsv([row]).toString('utf8').split('\t');
    expect(writer.text().toString('utf8')).toBe(`${full.slice(0, DATA_COLUMNS.length).join('\t')}\t3\t-1739000000003\n`);
    expect(() => writer.lineEnd(2 ** 53, 0)).toThrow(/source_offset/);
    // a whole row's line: its own offset and timestamp (source(3): 3 and 1_739_000_000_003) after the data fields
    const whole = new TsvWriter(16);
    whole.loadLine(row);
    expect(whole.text().toString('utf8')).toBe(`${full.slice(0, DATA_COLUMNS.length).join('\t')}\t3\t1739000000003\n`);
  });

  it('reads records, skipped and warnings from the server info', () => {
    expect(loadCounts(5, { affectedRows: 5, info: 'Records: 5  Deleted: 0  Skipped: 0  Warnings: 0' })).toEqual({ records: 5, skipped: 0, warnings: 0 });
    expect(loadCounts(5, { affectedRows: 3, info: 'Records: 5  Deleted: 0  Skipped: 2  Warnings: 2' })).toEqual({ records: 5, skipped: 2, warnings: 2 });
  });

  it('refuses counts that do not add up instead of miscounting', () => {
    expect(() => loadCounts(5, { affectedRows: 5, info: '' })).toThrow(/cannot read LOAD DATA counts/);
    expect(() => loadCounts(5, { affectedRows: 4, info: 'Records: 4  Deleted: 0  Skipped: 0  Warnings: 0' })).toThrow(/cannot read/);
    expect(() => loadCounts(5, { affectedRows: 5, info: 'Records: 5  Deleted: 0  Skipped: 1  Warnings: 1' })).toThrow(/cannot read/);
  });
});
