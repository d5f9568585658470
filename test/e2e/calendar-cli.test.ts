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

  it('holidays lists the non-business weekdays of a year with their source and names', async () => {
    const run = await settle(['calendar', 'holidays', '2026']);
    expect(run.code).toBe(0);
    expect(run.stdout).toHaveLength(16);
    expect(run.stdout[0]).toBe('2026-01-01 Thu library    신정');
    expect(run.stdout).toContain('2026-02-16 Mon correction 설날'); // 설날 전날, which date-holidays leaves out
    expect(run.stdout).toContain('2026-06-03 Wed statute    제9회 전국동시지방선거');
    expect(run.stderr).not.toContain('past the holiday data');
  });

  it('holidays knows 2028-04-12 from the election law, and notes that 2028 is past the horizon', async () => {
    const run = await settle(['calendar', 'holidays', '2028']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2028-04-12 Wed statute    제23대 국회의원선거');
    expect(run.stderr).toContain("2028 is past the holiday data's horizon (verified through 2026)");
    expect((await settle(['calendar', 'is-business-day', '2028-04-12'])).stdout).toEqual(['false', '제23대 국회의원선거']);
  });

  it('holidays --json gives each day its source; days the overrides file adds or removes show so', async () => {
    const file = join(dir, 'sources.json');
    await writeFile(file, JSON.stringify({ add: [{ date: '2025-02-10', name: '테스트 휴일' }], remove: ['2025-06-03'] }));
    const run = await settle(['calendar', 'holidays', '2025', '--json'], { HOLIDAY_OVERRIDES_FILE: file });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout.join('\n')) as {
      year: number;
      verified: boolean;
      days: Array<{ date: string; name: string; source: string; holidays: unknown[] }>;
    };
    expect(report).toMatchObject({ year: 2025, verified: true });
    const byDate = new Map(report.days.map((day) => [day.date, day]));
    expect(byDate.get('2025-02-10')).toEqual({
      date: '2025-02-10',
      weekday: 'Mon',
      name: '테스트 휴일',
      source: 'overrides',
      holidays: [{ name: '테스트 휴일', source: 'overrides' }],
    });
    expect(byDate.get('2025-05-05')).toMatchObject({ name: '어린이날, 부처님오신날', source: 'library,correction' });
    expect(byDate.get('2025-01-27')).toMatchObject({ name: '임시공휴일', source: 'correction' });
    expect(byDate.has('2025-06-03')).toBe(false); // removed by the file
    expect(report.days).toHaveLength(18); // 2025's 18 non-business weekdays, one added, one removed
  });

  it('horizon prints the verified-through year, its last day and the days left (Asia/Seoul)', async () => {
    const seoulToday = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    const daysLeft = Math.round((Date.parse('2026-12-31') - Date.parse(seoulToday)) / 86_400_000);
    const json = await settle(['calendar', 'horizon', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout.join(''))).toEqual({
      verifiedThroughYear: 2026,
      lastVerifiedDay: '2026-12-31',
      today: seoulToday,
      daysRemaining: daysLeft,
      warningDays: 60,
      warning: daysLeft <= 60,
      pastHorizon: daysLeft < 0,
    });
    const text = await settle(['calendar', 'horizon']);
    expect(text.code).toBe(0); // a warning, never a failure
    expect(text.stdout[0]).toBe('2026');
    expect(text.stdout[1]).toMatch(/^last verified day 2026-12-31: \d+ day\(s\) (left|past it) \(today \d{4}-\d{2}-\d{2}, Asia\/Seoul\)$/);
    expect(text.stdout.some((line) => line.startsWith('warning: '))).toBe(daysLeft <= 60);

    const later = join(dir, 'verified-2030.json');
    await writeFile(later, JSON.stringify({ verifiedThroughYear: 2030 }));
    const raised = await settle(['calendar', 'horizon', '--json'], { HOLIDAY_OVERRIDES_FILE: later });
    expect(JSON.parse(raised.stdout.join(''))).toMatchObject({ verifiedThroughYear: 2030, lastVerifiedDay: '2030-12-31', warning: false });
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
