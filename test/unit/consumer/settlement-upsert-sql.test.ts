import { format } from 'mysql2';
import { describe, expect, it } from 'vitest';
import { ALL_COLUMNS, toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { chunkRows, MAX_ROWS_PER_STATEMENT, UPSERT_SETTLEMENTS_SQL, upsertCounts, upsertSettlementsSql } from '../../../src/infrastructure/mysql/settlement-upsert-sql.js';
import { syntheticSettlement } from '../../../src/presentation/bench/synthetic-settlements.js';

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

describe('UPSERT_SETTLEMENTS_SQL', () => {
  const assignments = UPSERT_SETTLEMENTS_SQL.split('ON DUPLICATE KEY UPDATE')[1] ?? '';
  const order = [...assignments.matchAll(/(\w+) = IF\(/g)].map((m) => m[1]);

  it('assigns the bookkeeping columns last, source_offset before source_timestamp', () => {
    expect(order.slice(-4)).toEqual(['source_topic', 'source_partition', 'source_offset', 'source_timestamp']);
  });

  it('never rewrites the unique key and updates every other column', () => {
    expect(order).not.toContain('transaction_key');
    expect(order).toHaveLength(ALL_COLUMNS.length - 1);
  });

  it('uses VALUES(col), valid on both MySQL 8 and MariaDB (no row alias)', () => {
    expect(UPSERT_SETTLEMENTS_SQL).not.toMatch(/\bAS new\b/i);
    expect(assignments).toContain('VALUES(source_timestamp) > source_timestamp');
  });
});

describe('upsertSettlementsSql', () => {
  it('builds the statement mysql2 would format (bar its needless escaping of ") with quotes, backslashes, NUL and Korean text', () => {
    const tricky = { ...syntheticSettlement(1, 'sq'), orderId: "O'Brien\\x", method: '카드\n\0' };
    const rows = [syntheticSettlement(0, 'sq'), tricky, syntheticSettlement(9, 'sq')].map((s, i) => toSettlementRow(s, { topic: 't', partition: 1, offset: i, timestamp: 1_739_000_000_000 + i }));
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
    const chunks = chunkRows(Array.from({ length: 6_000 }, (_, i) => i), () => 10, 10_000, 1e12);
    expect(Math.max(...chunks.map((c) => c.length))).toBe(MAX_ROWS_PER_STATEMENT);
    expect(chunks.flat()).toHaveLength(6_000);
  });

  it('splits by bytes, in order, and never produces an empty chunk', () => {
    const chunks = chunkRows([5, 5, 5, 20, 5], (n) => n, 100, 12);
    expect(chunks).toEqual([[5, 5], [5], [20], [5]]);
    expect(chunkRows([], () => 1, 10, 10)).toEqual([]);
  });
});
