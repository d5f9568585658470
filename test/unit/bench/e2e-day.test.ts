import { createServer, type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { listenerPid, listeningPorts, machineBusyMs, processCpuMs } from '../../../bench/e2e-children.js';
import { formatTenths, hugetlbMbIn, hugetlbMbOf, lastToFirst, TenthsTracker } from '../../../bench/e2e-day.js';
import { computeReport, type E2eMeasurements, formatReport } from '../../../bench/e2e-report.js';

describe('the day bench by tenths', () => {
  it('starts the first tenth at the first poll that saw rows, and rates each tenth over its own interval', () => {
    const t = new TenthsTracker(1_000);
    t.observe(0, 0, 0); // producer starting: not the day's clock
    t.observe(5_000, 0, 0);
    t.observe(6_000, 50, 10); // first rows stored: the first tenth starts here, with 50 rows already in
    t.observe(7_000, 100, 20); // tenth 1: 50 rows in 1 s
    for (let k = 2; k <= 9; k++) t.observe(7_000 + (k - 1) * 1_000, k * 100, 20 + (k - 1) * 100);
    t.observe(17_000, 1_000, 2_020); // tenth 10: 100 rows in 2 s, 1,200 pool reads
    const tenths = t.tenths();
    expect(tenths).toHaveLength(10);
    expect(tenths[0]).toEqual({ tenth: 1, rowsStored: 100, seconds: 1, rowsPerSec: 50, poolReadsPerSec: 10, busyPct: null, stealPct: null });
    expect(tenths[1]).toEqual({ tenth: 2, rowsStored: 200, seconds: 1, rowsPerSec: 100, poolReadsPerSec: 100, busyPct: null, stealPct: null });
    expect(tenths[9]).toEqual({ tenth: 10, rowsStored: 1_000, seconds: 2, rowsPerSec: 50, poolReadsPerSec: 600, busyPct: null, stealPct: null });
    expect(lastToFirst(tenths)).toBe(1);
  });

  it("with the machine's counters, each tenth says how busy the cores were and how much the hypervisor took", () => {
    const t = new TenthsTracker(100);
    const cores = 2;
    t.observe(0, 1, null, { busyMs: 1_000, stealMs: 100, cores });
    t.observe(2_000, 10, null, { busyMs: 4_000, stealMs: 300, cores }); // 3 s busy of 2 cores × 2 s, 0.2 s stolen
    t.observe(3_000, 20, null, { busyMs: 4_500, stealMs: 300, cores }); // 0.5 s of 2 s: the load waited
    t.observe(4_000, 30, null, null); // a reading that failed: no share for the tenth it closes
    expect(t.tenths().map((x) => [x.busyPct, x.stealPct])).toEqual([
      [75, 5],
      [25, 0],
      [null, null],
    ]);
    expect(formatTenths(t.tenths())).toMatch(/cores busy %\s+steal %\n\s+1\s+10\s+2\.0\s+5\s+-\s+75\.0\s+5\.0\n/);
  });

  it('a poll that crosses several boundaries closes each of them at its time', () => {
    const t = new TenthsTracker(100);
    t.observe(0, 5, null);
    t.observe(1_000, 35, null);
    expect(t.tenths().map((x) => x.rowsStored)).toEqual([10, 20, 30]);
    expect(t.tenths()[0]).toMatchObject({ seconds: 1, rowsPerSec: 5, poolReadsPerSec: null });
    expect(t.tenths()[1]).toMatchObject({ seconds: 0, rowsPerSec: 0 });
  });

  it('refuses a count that goes back, and has no ratio before the tenth tenth', () => {
    const t = new TenthsTracker(100);
    t.observe(0, 50, null);
    expect(() => t.observe(1, 40, null)).toThrow('went back from 50 to 40');
    expect(lastToFirst(t.tenths())).toBeNull();
    expect(() => new TenthsTracker(5)).toThrow('at least 10 rows');
  });

  it('the report carries CPU per row, the server, the tenths and the partition bytes per row', () => {
    const t = new TenthsTracker(1_000_000);
    t.observe(0, 1, 0);
    for (let k = 1; k <= 10; k++) t.observe(k * 10_000 + (k === 10 ? 15_000 : 0), k * 100_000, k * 1_000);
    const measured: E2eMeasurements = {
      rows: 1_000_000,
      e2eSeconds: 125,
      producer: { rowsPublished: 1_000_000, durationMs: 60_000, peakRssKb: 0, exactPeakRssMb: 300, cpuMs: 20_000 },
      consumer: { records: 1_000_000, rowsPerSecond: 9_000, busyMs: 110_000, peakRssKb: 0, exactPeakRssMb: 200, cpuMs: 30_000 },
      raw: [],
      tableRowsBefore: 0,
      prefillSeconds: 0,
      settings: {},
      server: { version: '10.11.19-MariaDB', innodb_buffer_pool_size: 1073741824 },
      serverCpuMs: 25_000,
      kafkaCpuMs: 7_000,
      benchCpuMs: 2_500,
      machine: { busyMs: 90_000, stealMs: 6_000, elapsedMs: 60_000, cores: 2 },
      tenths: t.tenths(),
      footprint: {
        partition: 'p20250203',
        rows: 1_000_000,
        dataBytesPerRow: 700.5,
        indexBytesPerRow: 180.2,
        indexes: { uk_settlements_transaction_key: 90.1, ix_settlements_payment_key: 90.1 },
      },
    };
    const r = computeReport(measured);
    expect(r).toMatchObject({
      cpuSecondsProducer: 20,
      cpuSecondsConsumer: 30,
      cpuUsPerRowProducer: 20,
      cpuUsPerRowConsumer: 30,
      cpuUsPerRowServer: 25,
      cpuUsPerRowKafka: 7,
      cpuUsPerRowBench: 2.5,
      cpuUsPerRowMachine: 90,
      machineCores: 2,
      machineBusyPct: 75, // 90 s of 2 cores × 60 s
      machineStealPct: 5,
      indexBytesPerRow: 180.2,
    });
    expect(r.tenths[0]?.rowsPerSec).toBe(10_000);
    expect(r.tenths[9]?.rowsPerSec).toBe(4_000);
    expect(r.lastToFirstTenth).toBe(0.4);
    const text = formatReport(r);
    expect(text).toContain('last tenth / first tenth = 0.4');
    expect(text).toContain('innodb_buffer_pool_size=1073741824');
    expect(text).toContain('secondary indexes 180.2');
    expect(text).toContain('produce 20 s (20 µs/row)');
    expect(text).toContain('MySQL server 25 µs/row');
    expect(text).toContain(
      "Kafka broker 7 µs, this bench (its Toss fake) 2.5 µs; all 2 cores busy 90 µs/row (75% of their time, of which steal, the hypervisor's, 5%)",
    );
    // a report from before the bench timed its readings: no share, and the line says nothing of one
    const untimed = computeReport({ ...measured, machine: { busyMs: 90_000, cores: 2 } });
    expect(untimed).toMatchObject({ cpuUsPerRowMachine: 90, machineBusyPct: null, machineStealPct: null });
    expect(formatReport(untimed)).toContain('all 2 cores busy 90 µs/row\n');
    expect(formatReport(computeReport({ ...measured, serverCpuMs: null }))).toContain('MySQL server - (not on this machine)');
    const remote = computeReport({ ...measured, kafkaCpuMs: null, machine: null });
    expect(remote).toMatchObject({ cpuUsPerRowKafka: null, cpuUsPerRowMachine: null, machineCores: null, machineBusyPct: null, machineStealPct: null });
    expect(formatReport(remote)).toContain('Kafka broker - (not on this machine)');
  });
});

describe("the bench's readings of this machine (/proc)", () => {
  it("reads the MB of huge pages a process holds from its status; 0 for this test's own process; null when gone", async () => {
    const status = 'Name:\tmariadbd\nVmRSS:\t  4400000 kB\nHugetlbPages:\t 4216832 kB\nThreads:\t40\n';
    expect(hugetlbMbIn(status)).toBe(4118);
    expect(hugetlbMbIn('Name:\tnode\nHugetlbPages:\t       0 kB\n')).toBe(0);
    expect(hugetlbMbIn('Name:\told-kernel\n')).toBeNull();
    // a real /proc: node's heap is not in hugetlbfs pages
    expect(await hugetlbMbOf(process.pid)).toBe(0);
    expect(await hugetlbMbOf(2 ** 22 + 1)).toBeNull();
  });

  it('finds the process listening on a port, and none where nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(listenerPid(port)).toBe(process.pid);
      expect(listeningPorts([process.pid])).toContain(port);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port: freed } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    expect(listenerPid(freed)).toBeNull();
  });

  it("reads a process's CPU and the machine's busy time, both counting up; null for a process that is gone", () => {
    const cpuBefore = processCpuMs(process.pid);
    const machineBefore = machineBusyMs();
    // ~50 ms of CPU: the ticks are 10 ms, so the readings must move
    const until = process.cpuUsage().user + 50_000;
    while (process.cpuUsage().user < until);
    const cpuAfter = processCpuMs(process.pid);
    const machineAfter = machineBusyMs();
    expect(cpuBefore).not.toBeNull();
    expect(cpuAfter ?? 0).toBeGreaterThan(cpuBefore ?? Infinity);
    expect(machineAfter?.cores).toBe(cpus().length);
    expect(machineAfter?.busyMs ?? 0).toBeGreaterThan(machineBefore?.busyMs ?? Infinity);
    expect(machineAfter?.stealMs ?? -1).toBeGreaterThanOrEqual(machineBefore?.stealMs ?? Infinity);
    expect(machineAfter?.stealMs ?? Infinity).toBeLessThanOrEqual(machineAfter?.busyMs ?? -1);
    expect(machineAfter?.atMs ?? 0).toBeGreaterThan(machineBefore?.atMs ?? Infinity);
    expect(processCpuMs(2 ** 22 + 1)).toBeNull(); // above Linux's pid_max
  });
});
