import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'settle.js');

interface Run {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string;
}

/** Runs the built `settle` binary (npm run build first) the way cron would: a fresh process, real exit code. */
function settle(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { ...process.env };
  delete base.HOLIDAY_OVERRIDES_FILE;
  delete base.PAYOUT_DELAY_BUSINESS_DAYS;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout: stdout.split('\n').filter((line) => line !== ''), stderr });
    });
  });
}

let dir = '';
beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` before the e2e tests');
  dir = await mkdtemp(join(tmpdir(), 'settle-calendar-e2e-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('settle calendar', () => {
  it('is-business-day prints true on an ordinary Monday', async () => {
    const run = await settle(['calendar', 'is-business-day', '2025-02-10']);
    expect(run.code).toBe(0);
    expect(run.stdout).toEqual(['true']);
  });

  it('is-business-day prints false and the holiday name on Seollal eve', async () => {
    const run = await settle(['calendar', 'is-business-day', '2025-01-28']);
    expect(run.code).toBe(0);
    expect(run.stdout).toEqual(['false', '설날']);
  });

  it('payout-date follows the Toss data point: sold Sun 2025-02-09, paid Thu 02-13', async () => {
    const run = await settle(['calendar', 'payout-date', '2025-02-09']);
    expect([run.code, run.stdout[0]]).toEqual([0, '2025-02-13']);
  });

  it('payout-date takes --days, and PAYOUT_DELAY_BUSINESS_DAYS as the default', async () => {
    expect((await settle(['calendar', 'payout-date', '2025-06-18', '--days', '5'])).stdout[0]).toBe('2025-06-25');
    expect((await settle(['calendar', 'payout-date', '2025-06-18'], { PAYOUT_DELAY_BUSINESS_DAYS: '5' })).stdout[0]).toBe('2025-06-25');
  });

  it('payout-window prints "<from> <to>", or "none" on a non-business day', async () => {
    expect((await settle(['calendar', 'payout-window', '2025-02-13'])).stdout[0]).toBe('2025-02-08 2025-02-10');
    const none = await settle(['calendar', 'payout-window', '2025-02-09']);
    expect([none.code, none.stdout[0]]).toEqual([0, 'none']);
  });

  it('holidays lists the non-business weekdays of a year with names', async () => {
    const run = await settle(['calendar', 'holidays', '2026']);
    expect(run.code).toBe(0);
    expect(run.stdout).toHaveLength(16);
    expect(run.stdout[0]).toBe('2026-01-01 Thu 신정');
    expect(run.stdout).toContain('2026-06-03 Wed 제9회 전국동시지방선거');
  });

  it('exits 2 and names the argument for a malformed date', async () => {
    const run = await settle(['calendar', 'payout-date', '2025-2-9']);
    expect(run.code).toBe(2);
    expect(run.stdout).toEqual([]);
    expect(run.stderr).toContain('soldDate "2025-2-9" must be YYYY-MM-DD');
  });

  it('exits 2 for an impossible date and for a bad --days', async () => {
    const impossible = await settle(['calendar', 'is-business-day', '2025-02-30']);
    expect([impossible.code, impossible.stderr.includes('date "2025-02-30" is not a calendar date')]).toEqual([2, true]);
    const days = await settle(['calendar', 'payout-window', '2025-02-13', '--days', 'three']);
    expect([days.code, days.stderr.includes('--days "three"')]).toEqual([2, true]);
  });

  it('reads HOLIDAY_OVERRIDES_FILE, and exits 2 naming the file and entry when it is invalid', async () => {
    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify({ add: [{ date: '2025-02-10', name: '테스트 휴일' }] }));
    expect((await settle(['calendar', 'is-business-day', '2025-02-10'], { HOLIDAY_OVERRIDES_FILE: good })).stdout).toEqual(['false', '테스트 휴일']);

    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ add: [{ date: '2025-02-10' }] }));
    const run = await settle(['calendar', 'is-business-day', '2025-02-10'], { HOLIDAY_OVERRIDES_FILE: bad });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(bad);
    expect(run.stderr).toContain('add[0].name');
  });
});
