import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPACITY_BASELINE_FILE, readCapacityBaseline } from '../../../src/infrastructure/capacity/capacity-baseline-file.js';
import { baselineRates } from '../../../src/presentation/cli/commands/plan-command.js';
import { runCli } from '../../../src/presentation/cli/run-cli.js';
import { collect } from '../../support/collect-output.js';

const NEVER = new AbortController().signal;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'settle-baseline-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('config/capacity-baseline.json: what settle plan plans from without --bench', () => {
  it('is a whole day measured end to end, with the MySQL limit, and the command that measured it', () => {
    const { command, measuredOn, report } = readCapacityBaseline();
    // a figure from a small run is not a figure for a day: the baseline must be a day-scale run
    expect(report.rows).toBeGreaterThanOrEqual(10_000_000);
    expect(command).toContain(`--day-rows ${String(report.rows)}`);
    expect(command).toContain('--json');
    // settle plan needs MySQL's own limit: the run loaded the same rows by LOAD DATA as well
    expect(command).toContain('--raw-methods=loadData');
    expect(report.rawDbMethod).toBe('loadData');
    expect(measuredOn).toMatch(/^\d{4}-\d{2}-\d{2}, /);
    // the server the run ended on (the bench reads it); the plan's buffer pool advice assumes one that held the day
    expect((report.server as Record<string, unknown>).innodb_buffer_pool_size).toBe(4 * 1024 ** 3);
    expect((report.settings as Record<string, unknown>).dayRows).toBe(report.rows);
  });

  it('gives settle plan its rates, each from the run, named by the file', () => {
    const { report } = readCapacityBaseline();
    const rates = baselineRates();
    expect(rates).toEqual({
      producerRowsPerSec: report.produceRowsPerSec,
      consumerRowsPerSec: report.consumeRowsPerSec,
      mysqlRowsPerSec: report.rawDbRowsPerSec,
      producerCpuUsPerRow: report.cpuUsPerRowProducer,
      consumerCpuUsPerRow: report.cpuUsPerRowConsumer,
      producerPeakRssMb: report.peakRssMbProducer,
      consumerPeakRssMb: report.peakRssMbConsumer,
      source: expect.stringMatching(/^capacity-baseline\.json: \d{4}-\d{2}-\d{2}, /) as unknown,
    });
  });

  it('is what `settle plan` prints without --bench', async () => {
    const out = collect();
    const err = collect();
    const argv = ['node', 'settle', 'plan', '--json'];
    const { code } = await runCli({ argv, env: { LOG_LEVEL: 'silent' }, version: 'test', stdout: out.stream, stderr: err.stream, signal: NEVER });
    expect(code).toBe(0);
    expect((JSON.parse(out.text()) as { rates: unknown }).rates).toEqual(baselineRates());
  });

  it('names the file and the field when the baseline is missing or malformed', async () => {
    const write = async (name: string, text: string) => {
      const file = join(dir, name);
      await writeFile(file, text);
      return file;
    };
    expect(() => readCapacityBaseline(join(dir, 'absent.json'))).toThrow(/capacity baseline .*absent\.json: ENOENT/);
    expect(() => readCapacityBaseline(CAPACITY_BASELINE_FILE.replace(/\.json$/, '.missing.json'))).toThrow(/capacity baseline/);
    const list = await write('list.json', '[]');
    expect(() => readCapacityBaseline(list)).toThrow(`capacity baseline ${list}: expected a JSON object`);
    const noCommand = await write('no-command.json', JSON.stringify({ measuredOn: '2026-12-07, x', report: {} }));
    expect(() => readCapacityBaseline(noCommand)).toThrow(`capacity baseline ${noCommand}: "command" must be the bench command, a non-empty string`);
    const noDate = await write('no-date.json', JSON.stringify({ command: 'npm run bench', report: {} }));
    expect(() => readCapacityBaseline(noDate)).toThrow(`capacity baseline ${noDate}: "measuredOn" must be a non-empty string`);
    const noReport = await write('no-report.json', JSON.stringify({ command: 'npm run bench', measuredOn: '2026-12-07, x', report: 'x' }));
    expect(() => readCapacityBaseline(noReport)).toThrow(`capacity baseline ${noReport}: "report" must be the bench's JSON object`);
    // a report without the rates the plan needs is refused by the same reader as a --bench file
    const empty = await write('empty-report.json', JSON.stringify({ command: 'npm run bench', measuredOn: '2026-12-07, x', report: {} }));
    expect(() => baselineRates(empty)).toThrow(/empty-report\.json: 2026-12-07, x: the bench report has no positive/);
  });
});
