import { describe, expect, it } from 'vitest';
import { perRow, stageOfUrl, stageTimes, type CpuProfile } from '../../../bench/cpu-profile-stages.js';
import { addIndexClause, indexesFromStatistics, prefillExpressions } from '../../../bench/e2e-prefill.js';
import { tsvField, tsvLine } from '../../../bench/e2e-raw-db.js';
import { computeReport, formatReport } from '../../../bench/e2e-report.js';
import { ALL_COLUMNS } from '../../../src/infrastructure/mysql/settlement-row.js';

const frame = (functionName: string, url = '') => ({ functionName, url });

describe('CPU profile by stage', () => {
  // root → consumer code → mysql2 → (native) ; root → GC ; root → idle ; undici → JSON.parse (native, inherits)
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 6, 7] },
      { id: 2, callFrame: frame('applyBatch', 'file:///app/dist/infrastructure/mysql/mysql-settlement-store.js'), children: [3] },
      { id: 3, callFrame: frame('query', 'file:///app/node_modules/mysql2/lib/connection.js'), children: [4] },
      { id: 4, callFrame: frame('write'), children: [] },
      { id: 5, callFrame: frame('(garbage collector)'), children: [] },
      { id: 6, callFrame: frame('(idle)'), children: [] },
      { id: 7, callFrame: frame('fetchPage', 'file:///app/dist/infrastructure/toss/toss-client.js'), children: [8] },
      { id: 8, callFrame: frame('parse'), children: [] },
    ],
    samples: [2, 3, 4, 5, 6, 8, 8],
    timeDeltas: [10, 20, 30, 40, 50, 60, 70],
    startTime: 0,
    endTime: 280,
  };

  it('sums self time by stage; frames without a URL count for their caller', () => {
    const t = stageTimes(profile);
    expect(t.totalUs).toBe(280);
    expect(t.us['SQL building']).toBe(10);
    expect(t.us.mysql2).toBe(50);
    expect(t.us.GC).toBe(40);
    expect(t.us.idle).toBe(50);
    expect(t.us['toss JSON + validation']).toBe(130);
    const r = perRow(t, 10);
    expect(r.stages.mysql2).toBe(5);
    expect(r.busyUsPerRow).toBe(23);
    expect(r.stages.kafkajs).toBeUndefined();
  });

  it('maps URLs by their first matching rule', () => {
    expect(stageOfUrl('file:///x/node_modules/avsc/lib/types.js')).toBe('Avro (avsc + registry)');
    expect(stageOfUrl('file:///x/node_modules/kafkajs/src/producer/index.js')).toBe('kafkajs');
    expect(stageOfUrl('node:internal/streams/readable')).toBe('node internals');
    expect(stageOfUrl('file:///x/dist/domain/settlement/validate-settlement.js')).toBe('toss JSON + validation');
    expect(stageOfUrl('')).toBeNull();
  });
});

describe('pre-fill SQL', () => {
  it('rebuilds the secondary indexes it read, in column order, PRIMARY kept', () => {
    const stat = (INDEX_NAME: string, SEQ_IN_INDEX: number, COLUMN_NAME: string, NON_UNIQUE = 1, SUB_PART: number | null = null) => ({
      INDEX_NAME,
      NON_UNIQUE,
      SEQ_IN_INDEX,
      COLUMN_NAME,
      SUB_PART,
      COLLATION: 'A',
      INDEX_TYPE: 'BTREE',
    });
    const ix = indexesFromStatistics([
      stat('PRIMARY', 1, 'id', 0),
      stat('PRIMARY', 2, 'sold_date', 0),
      stat('uk_tx', 2, 'sold_date', 0),
      stat('uk_tx', 1, 'transaction_key', 0),
      stat('ix_pk', 1, 'payment_key', 1, 20),
    ]);
    expect(ix.map((i) => i.name)).toEqual(['uk_tx', 'ix_pk']);
    expect(ix.map(addIndexClause)).toEqual(['ADD UNIQUE INDEX `uk_tx` (`transaction_key`, `sold_date`)', 'ADD INDEX `ix_pk` (`payment_key`(20))']);
  });

  it('gives every store column an expression: MD5 keys, earlier sold dates, template values quoted', () => {
    const e = prefillExpressions('2025-02-03', 'seq', { m_id: "o'k", amount: 100, fee: null });
    expect(e).toHaveLength(ALL_COLUMNS.length);
    const at = (c: (typeof ALL_COLUMNS)[number]) => e[ALL_COLUMNS.indexOf(c)];
    expect(at('transaction_key')).toContain('MD5');
    expect(at('sold_date')).toBe("DATE_SUB('2025-02-03', INTERVAL 1 + (seq) MOD 60 DAY)");
    expect(at('m_id')).toBe("'o''k'");
    expect(at('amount')).toBe('100');
    expect(at('fee')).toBe('NULL');
  });
});

describe('TSV for LOAD DATA', () => {
  it('escapes what LOAD DATA would read as separators, and writes NULL as \\N', () => {
    expect(tsvField(null)).toBe('\\N');
    expect(tsvField(-5)).toBe('-5');
    expect(tsvField('a\tb\nc\\d')).toBe('a\\tb\\nc\\\\d');
    expect(tsvLine(['x', null, 1])).toBe('x\t\\N\t1\n');
  });
});

describe('the JSON report', () => {
  const report = computeReport({
    rows: 1_000_000,
    e2eSeconds: 50,
    producer: { rowsPublished: 1_000_000, durationMs: 40_000, peakRssKb: 200 * 1024 },
    consumer: { records: 1_000_000, rowsPerSecond: 21_000, busyMs: 47_000, peakRssKb: 180 * 1024, exactPeakRssMb: 170 },
    raw: [
      { method: 'loadData', rows: 1_000_000, seconds: 10, rowsPerSec: 100_000, tableRowsBefore: 0 },
      { method: 'storeUpsert', rows: 1_000_000, seconds: 25, rowsPerSec: 40_000, tableRowsBefore: 1_000_000 },
    ],
    tableRowsBefore: 0,
    prefillSeconds: 0,
    settings: { pageSize: 5000 },
  });

  it('computes the rates, the fastest raw method, the ratio and the projection', () => {
    expect(report).toMatchObject({
      rows: 1_000_000,
      e2eRowsPerSec: 20_000,
      produceRowsPerSec: 25_000,
      consumeRowsPerSec: 21_000,
      rawDbRowsPerSec: 100_000,
      rawDbMethod: 'loadData',
      ratioToRawDb: 0.2,
      peakRssMbProducer: 200,
      peakRssMbConsumer: 170,
      tableRowsBefore: 0,
      prefillSeconds: 0,
      projectedHoursFor100M: 1.39,
      settings: { pageSize: 5000 },
    });
    expect(report.rawDbMethods.storeUpsert).toEqual({ rowsPerSec: 40_000, seconds: 25, tableRowsBefore: 1_000_000 });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(formatReport(report)).toContain('20,000 rows/s');
  });

  it('has no ratio without a raw measurement, and falls back to the polled RSS', () => {
    const r = computeReport({
      rows: 10,
      e2eSeconds: 1,
      producer: { rowsPublished: 10, durationMs: 1000, peakRssKb: 1024 },
      consumer: { records: 10, rowsPerSecond: 10, busyMs: 1000, peakRssKb: 2048, exactPeakRssMb: null },
      raw: [],
      tableRowsBefore: 5,
      prefillSeconds: 1,
      settings: {},
    });
    expect(r.ratioToRawDb).toBeNull();
    expect(r.peakRssMbConsumer).toBe(2);
  });
});
