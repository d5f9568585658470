import { format } from 'mysql2';
import { describe, expect, it } from 'vitest';
import { ALL_COLUMNS, toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import {
  chunkRows,
  MAX_ROWS_PER_STATEMENT,
  UPSERT_OFFSET_SQL,
  UPSERT_SETTLEMENTS_SQL,
  upsertCounts,
  upsertOffsetSql,
  upsertSettlementsSql,
} from '../../../src/infrastructure/mysql/settlement-upsert-sql.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';

describe('upsertCounts', () => {
  it('reads inserted, updated and unchanged from affectedRows and the Records/Duplicates info', () => {
    // 3 rows: one new (1), one replaced (2), one older replay (0) → affectedRows 3; Duplicates counts the changed one
    expect(upsertCounts(3, { affectedRows: 3, info: 'Records: 3  Duplicates: 1  Warnings: 0' })).toEqual({ inserted: 1, updated: 1, unchanged: 1 });
    expect(upsertCounts(4, { affectedRows: 4, info: 'Records: 4  Duplicates: 0  Warnings: 0' })).toEqual({ inserted: 4, updated: 0, unchanged: 0 });
    expect(upsertCounts(2, { affectedRows: 0, info: 'Records: 2  Duplicates: 0  Warnings: 0' })).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
  });

  it('reads a single-row statement, which has no info, from affectedRows alone', () => {
    expect(upsertCounts(1, { affectedRows: 1, info: '' })).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect(upsertCounts(1, { affectedRows: 2, info: '' })).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(upsertCounts(1, { affectedRows: 0, info: '' })).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
  });

  it('refuses results that only CLIENT_FOUND_ROWS could produce instead of miscounting', () => {
    // under FOUND_ROWS two unchanged duplicates report affectedRows 2 and Duplicates 2
    expect(() => upsertCounts(2, { affectedRows: 2, info: 'Records: 2  Duplicates: 2  Warnings: 0' })).toThrow(/CLIENT_FOUND_ROWS/);
    expect(() => upsertCounts(5, { affectedRows: 5, info: '' })).toThrow(/cannot read/);
  });
});

describe('the upsert statement, in both forms', () => {
  const rows = [0, 1].map((i) => toSettlementRow(syntheticSettlement(i, 'forms'), { topic: 't', partition: 0, offset: i, timestamp: 1_739_000_000_000 }));
  const forms = { 'values-function': upsertSettlementsSql(rows, 'values-function'), 'row-alias': upsertSettlementsSql(rows, 'row-alias') } as const;
  // the incoming and the stored value of a column, as each form writes them
  const incoming = { 'values-function': (c: string) => `VALUES(${c})`, 'row-alias': (c: string) => `incoming.${c}` } as const;
  const stored = { 'values-function': (c: string) => c, 'row-alias': (c: string) => `settlements.${c}` } as const;

  for (const form of ['values-function', 'row-alias'] as const) {
    const sql = forms[form];
    const assignments = sql.split(' ON DUPLICATE KEY UPDATE ')[1] ?? '';
    const order = [...assignments.matchAll(/(\w+) = IF\(/g)].map((m) => m[1]);

    it(`${form}: guards the key first, then assigns every other column, the bookkeeping columns last and source_timestamp very last`, () => {
      expect(order[0]).toBe('transaction_key');
      expect(order.slice(1)).toEqual([...ALL_COLUMNS.filter((c) => c !== 'transaction_key')]);
      expect(order.slice(-4)).toEqual(['source_topic', 'source_partition', 'source_offset', 'source_timestamp']);
      expect(order.at(-1)).toBe('source_timestamp');
    });

    it(`${form}: the guard keeps a stored row's own key and sets NULL (refused in strict mode) on a row of another key`, () => {
      const key = stored[form]('transaction_key');
      expect(assignments.startsWith(`transaction_key = IF(${key} = ${incoming[form]('transaction_key')}, ${key}, NULL), `)).toBe(true);
    });

    it(`${form}: every column is IF(newer, incoming, stored), newer comparing (timestamp, offset) in that order`, () => {
      const ts = stored[form]('source_timestamp');
      const newer = `(${incoming[form]('source_timestamp')} > ${ts} OR (${incoming[form]('source_timestamp')} = ${ts} AND ${incoming[form]('source_offset')} > ${stored[form]('source_offset')}))`;
      for (const c of order.slice(1)) expect(assignments).toContain(`${c} = IF(${newer}, ${incoming[form](c as string)}, ${stored[form](c as string)})`);
      expect(assignments.split(', ').filter((a) => / = IF\(/.test(a))).toHaveLength(order.length);
    });
  }

  it('values-function (MariaDB, and MySQL before 8.0.19) has no row alias and is the default form', () => {
    expect(forms['values-function']).not.toMatch(/\bAS incoming\b|incoming\./);
    expect(upsertSettlementsSql(rows)).toBe(forms['values-function']);
    expect(UPSERT_SETTLEMENTS_SQL.replace('?', '')).toBe(
      `${forms['values-function'].slice(0, forms['values-function'].indexOf('VALUES ') + 'VALUES '.length)}${forms['values-function'].slice(forms['values-function'].indexOf(' ON DUPLICATE KEY UPDATE '))}`,
    );
  });

  it('row-alias (MySQL ≥ 8.0.19) names the rows after the last one and uses no VALUES() function', () => {
    const sql = forms['row-alias'];
    expect(sql).toMatch(/\) AS incoming ON DUPLICATE KEY UPDATE /);
    expect(sql.split(' ON DUPLICATE KEY UPDATE ')[1]).not.toMatch(/VALUES\(/);
    // the rows themselves are the same text in both forms
    expect(sql.slice(0, sql.indexOf(' AS incoming '))).toBe(forms['values-function'].slice(0, forms['values-function'].indexOf(' ON DUPLICATE KEY UPDATE ')));
  });

  it('both forms take the column list from settlement-row.ts', () => {
    for (const sql of Object.values(forms)) expect(sql.startsWith(`INSERT INTO settlements (${ALL_COLUMNS.join(', ')}) VALUES (`)).toBe(true);
  });
});

describe('upsertOffsetSql', () => {
  it('advance: GREATEST of the stored and the incoming offset, in both forms', () => {
    const head = 'INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES (?, ?, ?, ?)';
    expect(upsertOffsetSql('advance', 'values-function')).toBe(`${head} ON DUPLICATE KEY UPDATE next_offset = GREATEST(next_offset, VALUES(next_offset))`);
    expect(UPSERT_OFFSET_SQL).toBe(upsertOffsetSql('advance', 'values-function'));
    expect(upsertOffsetSql('advance')).toBe(UPSERT_OFFSET_SQL);
    expect(upsertOffsetSql('advance', 'row-alias')).toBe(
      `${head} AS incoming ON DUPLICATE KEY UPDATE next_offset = GREATEST(consumer_offsets.next_offset, incoming.next_offset)`,
    );
  });

  it('set (a rewind): the incoming offset as given, in both forms', () => {
    const head = 'INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES (?, ?, ?, ?)';
    expect(upsertOffsetSql('set', 'values-function')).toBe(`${head} ON DUPLICATE KEY UPDATE next_offset = VALUES(next_offset)`);
    expect(upsertOffsetSql('set', 'row-alias')).toBe(`${head} AS incoming ON DUPLICATE KEY UPDATE next_offset = incoming.next_offset`);
  });
});

describe('upsertSettlementsSql', () => {
  it('builds the statement mysql2 would format (bar its needless escaping of ") with quotes, backslashes, NUL and Korean text', () => {
    const tricky = { ...syntheticSettlement(1, 'sq'), orderId: "O'Brien\\x", method: '카드\n\0' };
    const rows = [syntheticSettlement(0, 'sq'), tricky, syntheticSettlement(9, 'sq')].map((s, i) =>
      toSettlementRow(s, { topic: 't', partition: 1, offset: i, timestamp: 1_739_000_000_000 + i }),
    );
    expect(upsertSettlementsSql(rows)).toBe(format(UPSERT_SETTLEMENTS_SQL, [rows]).replaceAll('\\"', '"'));
  });

  it('refuses a number that is not a safe integer instead of writing a rounded amount', () => {
    const row = toSettlementRow({ ...syntheticSettlement(0, 'sq'), amount: 2 ** 53 + 2 }, { topic: 't', partition: 0, offset: 0, timestamp: 0 });
    expect(() => upsertSettlementsSql([row])).toThrow(/amount holds/);
  });
});

describe('chunkRows', () => {
  it('keeps each statement under the placeholder limit', () => {
    expect(MAX_ROWS_PER_STATEMENT * ALL_COLUMNS.length).toBeLessThanOrEqual(65_535);
    const chunks = chunkRows(
      Array.from({ length: 6_000 }, (_, i) => i),
      () => 10,
      10_000,
      1e12,
    );
    expect(Math.max(...chunks.map((c) => c.length))).toBe(MAX_ROWS_PER_STATEMENT);
    expect(chunks.flat()).toHaveLength(6_000);
  });

  it('splits by bytes, in order, and never produces an empty chunk', () => {
    const chunks = chunkRows([5, 5, 5, 20, 5], (n) => n, 100, 12);
    expect(chunks).toEqual([[5, 5], [5], [20], [5]]);
    expect(chunkRows([], () => 1, 10, 10)).toEqual([]);
  });
});
