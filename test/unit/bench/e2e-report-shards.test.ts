import { describe, expect, it } from 'vitest';
import { computeReport, formatReport, type E2eMeasurements } from '../../../bench/e2e-report.js';

const base: Omit<E2eMeasurements, 'producer' | 'producers'> = {
  rows: 1_000_000,
  e2eSeconds: 50,
  consumer: { records: 1_000_000, rowsPerSecond: 21_000, busyMs: 47_000, peakRssKb: 180 * 1024, exactPeakRssMb: 170 },
  raw: [],
  tableRowsBefore: 0,
  prefillSeconds: 0,
  settings: { shards: 2 },
};

describe('the bench report with several producer workers (--shards N)', () => {
  const report = computeReport({
    ...base,
    producers: [
      { rowsPublished: 500_000, durationMs: 25_000, peakRssKb: 0, exactPeakRssMb: 380 },
      { rowsPublished: 500_000, durationMs: 20_000, peakRssKb: 0, exactPeakRssMb: 350 },
    ],
  });

  it('reports the worker count, all rows over the slowest worker, each worker, the largest and the summed peak RSS', () => {
    expect(report).toMatchObject({
      shards: 2,
      e2eRowsPerSec: 20_000,
      produceRowsPerSec: 40_000,
      peakRssMbProducer: 380,
      peakRssMbProducersSum: 730,
      peakRssSource: { producer: 'its summary (maxRSS)' },
    });
    expect(report.producers).toEqual([
      { shard: 0, rowsPublished: 500_000, durationMs: 25_000, rowsPerSec: 20_000, peakRssMb: 380 },
      { shard: 1, rowsPublished: 500_000, durationMs: 20_000, rowsPerSec: 25_000, peakRssMb: 350 },
    ]);
    expect(formatReport(report)).toContain('settle produce ×2 (--shards 2)');
    expect(formatReport(report)).toContain('40,000 rows/s (2 workers together');
  });

  it('one producer is shards 1, with the same figures as before', () => {
    const one = computeReport({ ...base, producer: { rowsPublished: 1_000_000, durationMs: 40_000, peakRssKb: 200 * 1024 } });
    expect(one).toMatchObject({
      shards: 1,
      produceRowsPerSec: 25_000,
      peakRssMbProducer: 200,
      peakRssMbProducersSum: 200,
      peakRssSource: { producer: 'VmHWM polled every 250 ms' },
    });
    expect(formatReport(one)).not.toContain('×');
  });

  it('falls back to the polled RSS when any worker printed no peak of its own', () => {
    const r = computeReport({
      ...base,
      producers: [
        { rowsPublished: 1, durationMs: 1, peakRssKb: 300 * 1024, exactPeakRssMb: 310 },
        { rowsPublished: 1, durationMs: 1, peakRssKb: 320 * 1024, exactPeakRssMb: null },
      ],
    });
    expect(r.peakRssMbProducer).toBe(320);
    expect(r.peakRssSource.producer).toBe('VmHWM polled every 250 ms');
  });
});
