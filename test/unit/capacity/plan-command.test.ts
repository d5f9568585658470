import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/presentation/cli/run-cli.js';
import { collect } from '../../support/collect-output.js';

const NEVER = new AbortController().signal;

/** `settle plan …` in-process: no service is needed. */
const plan = async (...args: string[]) => {
  const out = collect();
  const err = collect();
  const argv = ['node', 'settle', 'plan', ...args];
  const { code } = await runCli({ argv, env: { LOG_LEVEL: 'silent' }, version: 'test', stdout: out.stream, stderr: err.stream, signal: NEVER });
  return { code, stdout: out.text(), stderr: err.text() };
};

interface BufferPoolJson {
  rowsPerDay: number;
  indexBytesPerRow: number;
  indexBytesPerRowSource: string;
  hotDays: number;
  headroom: number;
  hotIndexBytes: number;
  bufferPoolBytes: number;
}
const bufferPoolOf = (stdout: string) => (JSON.parse(stdout) as { bufferPool: BufferPoolJson }).bufferPool;

const BENCH = { produceRowsPerSec: 30_000, consumeRowsPerSec: 12_000, rawDbRowsPerSec: 15_000, peakRssMbProducer: 390, peakRssMbConsumer: 225 };

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'settle-plan-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const benchFile = async (name: string, report: Record<string, unknown>) => {
  const file = join(dir, name);
  await writeFile(file, `bench report…\n${JSON.stringify(report)}\n`);
  return file;
};

describe('settle plan: the buffer pool a day needs', () => {
  it('prints it under the plan, from the defaults: 1 hot day of 178 index bytes per row, × 1.25', async () => {
    const r = await plan();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('MySQL buffer pool for the day: 20.7 GiB (22,250,000,000 bytes): innodb_buffer_pool_size = 21G or more\n');
    expect(r.stdout).toContain('  = 178 index bytes/row (default, docs/performance.md) × 100,000,000 rows × 1 hot day(s) × 1.25 headroom\n');
  });

  it('--json holds bufferPoolBytes and its inputs next to the plans', async () => {
    const r = await plan('--json');
    expect(r.code).toBe(0);
    expect(bufferPoolOf(r.stdout)).toEqual({
      rowsPerDay: 100_000_000,
      indexBytesPerRow: 178,
      indexBytesPerRowSource: 'default, docs/performance.md',
      hotDays: 1,
      headroom: 1.25,
      hotIndexBytes: 17_800_000_000,
      bufferPoolBytes: 22_250_000_000,
    });
  });

  it('--rows, --hot-days and --index-bytes-per-row change it', async () => {
    const r = await plan('--json', '--rows', '10000000', '--hot-days', '2', '--index-bytes-per-row', '200');
    // 200 × 10,000,000 × 2 = 4,000,000,000; × 1.25 = 5,000,000,000
    expect(bufferPoolOf(r.stdout)).toMatchObject({
      rowsPerDay: 10_000_000,
      hotDays: 2,
      indexBytesPerRow: 200,
      hotIndexBytes: 4_000_000_000,
      bufferPoolBytes: 5_000_000_000,
    });
    expect(bufferPoolOf(r.stdout).indexBytesPerRowSource).toBe('--index-bytes-per-row');
    const text = await plan('--rows', '10000000', '--hot-days', '2', '--index-bytes-per-row', '200');
    expect(text.stdout).toContain('MySQL buffer pool for the day: 4.7 GiB (5,000,000,000 bytes): innodb_buffer_pool_size = 5G or more');
    expect(text.stdout).toContain('  = 200 index bytes/row (--index-bytes-per-row) × 10,000,000 rows × 2 hot day(s) × 1.25 headroom');
    // --hot-days 2 alone (replays of the previous day during the load): 178 × 100,000,000 × 2 × 1.25 = 44,500,000,000 (41.4 GiB)
    const twoDays = await plan('--hot-days', '2');
    expect(twoDays.stdout).toContain('MySQL buffer pool for the day: 41.4 GiB (44,500,000,000 bytes): innodb_buffer_pool_size = 42G or more\n');
  });

  it("takes the index bytes per row from the --bench JSON's indexBytesPerRow; the flag still wins", async () => {
    const measured = await benchFile('measured.json', { ...BENCH, indexBytesPerRow: 180 });
    const r = await plan('--json', '--bench', measured);
    expect(r.code).toBe(0);
    expect(bufferPoolOf(r.stdout)).toMatchObject({ indexBytesPerRow: 180, indexBytesPerRowSource: measured, bufferPoolBytes: 22_500_000_000 });
    const flag = await plan('--json', '--bench', measured, '--index-bytes-per-row', '250');
    expect(bufferPoolOf(flag.stdout)).toMatchObject({ indexBytesPerRow: 250, bufferPoolBytes: 31_250_000_000 });
    const text = await plan('--bench', measured);
    expect(text.stdout).toContain(`  = 180 index bytes/row (${measured}) × 100,000,000 rows × 1 hot day(s) × 1.25 headroom`);
  });

  it('keeps the default for a bench JSON without the field, and refuses a non-positive one', async () => {
    const without = await benchFile('without.json', BENCH);
    const r0 = await plan('--json', '--bench', without);
    expect(bufferPoolOf(r0.stdout)).toMatchObject({ indexBytesPerRow: 178, indexBytesPerRowSource: 'default, docs/performance.md' });
    const zero = await benchFile('zero.json', { ...BENCH, indexBytesPerRow: 0 });
    const r = await plan('--bench', zero);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('indexBytesPerRow must be a positive number');
  });

  it.each([
    [['--hot-days', '0'], '--hot-days must be between 1 and 31'],
    [['--hot-days', 'two'], '--hot-days must be a whole number'],
    [['--index-bytes-per-row', '0'], '--index-bytes-per-row must be a number above 0'],
    [['--index-bytes-per-row', 'lots'], '--index-bytes-per-row must be a number above 0'],
  ])('refuses %j, naming the flag (exit 2)', async (args, message) => {
    const r = await plan(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
