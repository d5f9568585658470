import { describe, expect, it } from 'vitest';
import {
  bufferPoolNeed,
  bufferPoolSetting,
  capacityPlan,
  formatBytes,
  indexBytesPerRowFromBench,
  parseDuration,
  ratesFromBench,
  type MeasuredRates,
  type PlanRequest,
} from '../../../src/domain/capacity/capacity-plan.js';
import { baselineRates, formatBufferPool, formatPlans } from '../../../src/presentation/cli/commands/plan-command.js';

const rates: MeasuredRates = {
  producerRowsPerSec: 40_000,
  consumerRowsPerSec: 20_000,
  mysqlRowsPerSec: 100_000,
  producerCpuUsPerRow: 50,
  consumerCpuUsPerRow: 30,
  producerPeakRssMb: 400,
  consumerPeakRssMb: 225,
  source: 'test',
};
const req: PlanRequest = {
  rows: 100_000_000,
  deadlineSeconds: 1800,
  pageSize: 5000,
  tossConcurrency: 4,
  tossPageSeconds: 1,
  tossPagesPerSec: null,
  utilization: 0.5,
  partitionsPerReplica: 2,
};

describe('capacity plan', () => {
  it('sizes a 100M-row day in 30 minutes from per-process rates at the target utilization', () => {
    const p = capacityPlan(req, rates);
    // sized so, the slowest part is MySQL (100,000 rows/s against 120,000 of producers and of consumers)
    expect(p).toMatchObject({
      requiredRowsPerSec: 55_556,
      pages: 20_000,
      plannedRowsPerSec: 55_556,
      achievableRowsPerSec: 100_000,
      finishSeconds: 1000,
      meetsDeadline: true,
      bottleneck: 'mysql',
    });
    // 55,556 / (40,000 × 0.5) = 2.8 → 3 workers; 11.1 pages/s × 1 s = 11.1 in flight / 4 per worker → 3
    expect(p.producer).toEqual({ workers: 3, workersForCpu: 3, workersForLatency: 3, cores: 2.8, memoryMb: 1200 });
    // 55,556 / (20,000 × 0.5) = 5.6 → 6 replicas, 12 partitions
    expect(p.consumer).toEqual({ replicas: 6, partitions: 12, cores: 1.7, memoryMb: 1350 });
    expect(p.mysql).toEqual({ neededRowsPerSec: 55_556, measuredRowsPerSec: 100_000, utilization: 0.56 });
    expect(p.toss).toMatchObject({ neededPagesPerSec: 11.11, maxRowsPerSec: null, pagesInFlight: 11.1 });
  });

  it('a Toss limit below the needed pages/s caps the day: fewer workers help nothing, the deadline is missed and Toss is the bottleneck', () => {
    const p = capacityPlan({ ...req, tossPagesPerSec: 10 }, rates);
    expect(p).toMatchObject({ plannedRowsPerSec: 50_000, achievableRowsPerSec: 50_000, finishSeconds: 2000, meetsDeadline: false, bottleneck: 'toss' });
    expect(p.toss.maxRowsPerSec).toBe(50_000);
    const roomy = capacityPlan({ ...req, tossPagesPerSec: 50 }, rates);
    expect(roomy).toMatchObject({ plannedRowsPerSec: 55_556, meetsDeadline: true, bottleneck: 'mysql' });
    expect(capacityPlan({ ...req, tossPagesPerSec: 15 }, rates)).toMatchObject({
      plannedRowsPerSec: 55_556,
      achievableRowsPerSec: 75_000,
      meetsDeadline: true,
      bottleneck: 'toss',
    });
    expect(capacityPlan(req, { ...rates, mysqlRowsPerSec: 1e9 }).bottleneck).toBe('producers');
  });

  it("slow Toss answers need more workers to keep enough pages in flight (Little's law)", () => {
    const p = capacityPlan({ ...req, tossPageSeconds: 4 }, rates);
    expect(p.producer).toMatchObject({ workersForCpu: 3, workersForLatency: 12, workers: 12 });
  });

  it('names MySQL when its measured limit is below what the day needs', () => {
    const p = capacityPlan(req, { ...rates, mysqlRowsPerSec: 15_000 });
    expect(p).toMatchObject({ bottleneck: 'mysql', achievableRowsPerSec: 15_000, meetsDeadline: false, finishSeconds: 6667 });
    expect(p.mysql.utilization).toBe(3.7);
  });

  it('refuses non-positive inputs', () => {
    expect(() => capacityPlan({ ...req, rows: 0 }, rates)).toThrow(/rows must be a positive number/);
    expect(() => capacityPlan(req, { ...rates, consumerRowsPerSec: 0 })).toThrow(/consumerRowsPerSec/);
  });

  it('reads per-process rates from a bench JSON line, one or several producer workers', () => {
    const one = ratesFromBench(
      {
        produceRowsPerSec: 30_000,
        consumeRowsPerSec: 12_000,
        rawDbRowsPerSec: 15_000,
        peakRssMbProducer: 390,
        peakRssMbConsumer: 225,
        profileUsPerRow: { produce: { busyUsPerRow: 71.4 }, consume: { busyUsPerRow: 69.3 } },
      },
      'f',
    );
    expect(one).toEqual({
      producerRowsPerSec: 30_000,
      consumerRowsPerSec: 12_000,
      mysqlRowsPerSec: 15_000,
      producerCpuUsPerRow: 71.4,
      consumerCpuUsPerRow: 69.3,
      producerPeakRssMb: 390,
      consumerPeakRssMb: 225,
      source: 'f',
    });
    const kernel = ratesFromBench(
      {
        produceRowsPerSec: 1,
        consumeRowsPerSec: 1,
        rawDbRowsPerSec: 1,
        peakRssMbProducer: 1,
        peakRssMbConsumer: 1,
        cpuUsPerRowProducer: 38.12,
        cpuUsPerRowConsumer: 52.01,
        profileUsPerRow: { produce: { busyUsPerRow: 71.4 } },
      },
      'f',
    );
    expect(kernel).toMatchObject({ producerCpuUsPerRow: 38.12, consumerCpuUsPerRow: 52.01 });
    const two = ratesFromBench(
      {
        shards: 2,
        produceRowsPerSec: 50_000,
        producers: [{ rowsPerSec: 24_000 }, { rowsPerSec: 26_000 }],
        consumeRowsPerSec: 1,
        rawDbRowsPerSec: 1,
        peakRssMbProducer: 1,
        peakRssMbConsumer: 1,
      },
      'f',
    );
    expect(two.producerRowsPerSec).toBe(25_000);
    expect(two.producerCpuUsPerRow).toBeNull();
    expect(() => ratesFromBench({ produceRowsPerSec: 1, consumeRowsPerSec: 1, rawDbRowsPerSec: 0, peakRssMbProducer: 1, peakRssMbConsumer: 1 }, 'f')).toThrow(
      /rawDbRowsPerSec/,
    );
  });

  it.each([
    ['30m', 1800],
    ['1h', 3600],
    ['1h30m', 5400],
    ['90s', 90],
  ])('reads the deadline %s as %i s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', '0m', '30', 'half an hour'])('refuses the deadline %j', (text) => expect(() => parseDuration(text)).toThrow(/a duration such as 30m/));

  it('prints one column per Toss limit from the shipped baseline', () => {
    const baseline = baselineRates();
    const plans = [null, 50, 10].map((tossPagesPerSec) => capacityPlan({ ...req, utilization: 0.7, tossPageSeconds: 2, tossPagesPerSec }, baseline));
    const text = formatPlans(plans, baseline, 0.7).join('\n');
    expect(text).toContain('plan: 100,000,000 rows in 30 min = 55,556 rows/s (20,000 Toss pages)');
    expect(text).toMatch(/no Toss limit\s+Toss 50 pages\/s\s+Toss 10 pages\/s/);
    // the baseline's MySQL limit (one primary on 2 shared cores) is below the 55,556 rows/s a 30-minute day needs, so
    // every column ends at MySQL's pace, late: 100,000,000 rows ÷ its rate
    const minutes = (Math.round(100_000_000 / baseline.mysqlRowsPerSec / 6) / 10).toLocaleString('en-US');
    expect(text).toMatch(new RegExp(`finishes in \\(min\\)\\s+${minutes} LATE\\s+${minutes} LATE\\s+${minutes} LATE`));
    expect(text).toMatch(/bottleneck\s+mysql\s+mysql\s+mysql/);
  });

  it('sizes the buffer pool of a 100M-row day: index bytes/row × rows × hot days, × 1.25 headroom', () => {
    // 178 × 100,000,000 × 1 = 17,800,000,000 bytes of hot secondary index; × 1.25 = 22,250,000,000 (20.7 GiB)
    expect(bufferPoolNeed({ rowsPerDay: 100_000_000, indexBytesPerRow: 178, hotDays: 1 })).toEqual({
      rowsPerDay: 100_000_000,
      indexBytesPerRow: 178,
      hotDays: 1,
      headroom: 1.25,
      hotIndexBytes: 17_800_000_000,
      bufferPoolBytes: 22_250_000_000,
    });
    expect(bufferPoolNeed({ rowsPerDay: 100_000_000, indexBytesPerRow: 178, hotDays: 2 }).bufferPoolBytes).toBe(44_500_000_000);
    expect(bufferPoolNeed({ rowsPerDay: 1_000, indexBytesPerRow: 178, hotDays: 1 }).bufferPoolBytes).toBe(222_500);
    // a measured fraction: whole bytes, rounded up (178.1 × 3 = 534.3 → 535; × 1.25 = 668.75 → 669)
    expect(bufferPoolNeed({ rowsPerDay: 3, indexBytesPerRow: 178.1, hotDays: 1 })).toMatchObject({ hotIndexBytes: 535, bufferPoolBytes: 669 });
    expect(() => bufferPoolNeed({ rowsPerDay: 0, indexBytesPerRow: 178, hotDays: 1 })).toThrow(/rowsPerDay must be a positive number/);
    expect(() => bufferPoolNeed({ rowsPerDay: 1, indexBytesPerRow: 178, hotDays: 0 })).toThrow(/hotDays/);
  });

  it('names a buffer pool size for people and as a my.cnf value at least as large', () => {
    expect(formatBytes(22_250_000_000)).toBe('20.7 GiB');
    expect(formatBytes(134_217_728)).toBe('128 MiB');
    expect(formatBytes(222_500)).toBe('222,500 bytes');
    expect(bufferPoolSetting(22_250_000_000)).toBe('21G');
    expect(bufferPoolSetting(1024 ** 3)).toBe('1G');
    expect(bufferPoolSetting(134_217_785)).toBe('256M');
    expect(bufferPoolSetting(222_500)).toBe('128M');
  });

  it("reads a bench report's top-level indexBytesPerRow when it is a number", () => {
    expect(indexBytesPerRowFromBench({ indexBytesPerRow: 187.5 }, 'f')).toBe(187.5);
    expect(indexBytesPerRowFromBench({}, 'f')).toBeNull();
    expect(indexBytesPerRowFromBench({ indexBytesPerRow: '187' }, 'f')).toBeNull();
    expect(() => indexBytesPerRowFromBench({ indexBytesPerRow: 0 }, 'f')).toThrow(/f: the bench report's indexBytesPerRow must be a positive number, got 0/);
  });

  it('prints the buffer pool with its arithmetic and its source', () => {
    const need = bufferPoolNeed({ rowsPerDay: 100_000_000, indexBytesPerRow: 178, hotDays: 1 });
    const lines = formatBufferPool({ ...need, indexBytesPerRowSource: 'default, README Performance' });
    expect(lines[0]).toBe('MySQL buffer pool for the day: 20.7 GiB (22,250,000,000 bytes): innodb_buffer_pool_size = 21G or more');
    expect(lines[1]).toBe('  = 178 index bytes/row (default, README Performance) × 100,000,000 rows × 1 hot day(s) × 1.25 headroom');
  });
});
