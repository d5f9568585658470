import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCalendar } from '../../../src/infrastructure/health/calendar-check.js';
import { failed, passed, warned } from '../../../src/infrastructure/health/health-check.js';
import { doctorExitCode, renderDoctor } from '../../../src/presentation/cli/commands/doctor-command.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'settle-calendar-check-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('doctor: the calendar check', () => {
  it('passes far from the horizon (the built-in data is verified through 2026)', async () => {
    const r = await checkCalendar(null, new Date('2026-06-01T00:00:00Z'));
    expect(r).toEqual({ name: 'calendar', ok: true, detail: 'holidays verified through 2026: 213 days left (to 2026-12-31)', fix: '' });
  });

  it('warns within 60 days of the end, as a pass', async () => {
    const r = await checkCalendar(null, new Date('2026-12-01T00:00:00Z'));
    expect(r).toMatchObject({ name: 'calendar', ok: true, warning: true });
    expect(r.detail).toBe('holidays verified only through 2026: 30 day(s) left (to 2026-12-31); payout dates in 2027 and later may miss a 임시공휴일');
    expect(r.fix).toContain('add its 임시공휴일 to config/holidays.json (or HOLIDAY_OVERRIDES_FILE) with "verifiedThroughYear": 2027');
  });

  it('warns past the end', async () => {
    const r = await checkCalendar(null, new Date('2027-02-01T00:00:00Z'));
    expect(r).toMatchObject({ ok: true, warning: true });
    expect(r.detail).toContain('32 day(s) past its end (2026-12-31)');
  });

  it('an overrides file that states a later verified year moves the horizon', async () => {
    const file = join(dir, 'later.json');
    await writeFile(file, JSON.stringify({ verifiedThroughYear: 2027 }));
    const r = await checkCalendar(file, new Date('2026-12-01T00:00:00Z'));
    expect(r).toMatchObject({ ok: true, detail: 'holidays verified through 2027: 395 days left (to 2027-12-31)' });
    expect(r.warning).toBeUndefined();
  });

  it('fails (not a warning) on an invalid overrides file, naming the file and the entry', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ add: [{ date: '2027-13-01', name: 'x' }] }));
    const r = await checkCalendar(file, new Date('2026-06-01T00:00:00Z'));
    expect(r).toMatchObject({ name: 'calendar', ok: false, transient: false });
    expect(r.detail).toContain(file);
    expect(r.detail).toContain('add[0].date');
    expect(r.fix).toContain('HOLIDAY_OVERRIDES_FILE');
  });
});

describe('doctor: warnings', () => {
  const results = [passed('configuration', 'fine'), warned('calendar', 'horizon near', 'add next year')];

  it('never change the exit code', () => {
    expect(doctorExitCode(results)).toBe(0);
    expect(doctorExitCode([...results, failed('kafka', 'down', 'start it', true)])).toBe(4);
    expect(doctorExitCode([...results, failed('toss', 'bad key', 'fix it')])).toBe(2);
  });

  it('are shown as WARN with their fix, and counted in the summary', () => {
    expect(renderDoctor(results, 0)).toEqual([
      'ok    configuration  fine',
      'WARN  calendar       horizon near',
      '                     fix: add next year',
      'all 2 checks passed (1 with a warning)',
    ]);
    expect(renderDoctor([...results, failed('kafka', 'down', 'start it', true)], 4).at(-1)).toBe(
      '1 of 3 checks did not pass: only reachability problems, retry once the services are up; 1 warning(s)',
    );
    expect(renderDoctor([passed('configuration', 'fine')], 0)).toEqual(['ok    configuration  fine', 'all 1 checks passed']);
  });
});
