import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { createBusinessCalendar } from '../../../src/infrastructure/calendar/create-business-calendar.js';
import { DEFAULT_HOLIDAY_OVERRIDES_FILE, loadHolidayOverrides, parseHolidayOverrides } from '../../../src/infrastructure/calendar/holiday-overrides-file.js';

const d = (text: string) => LocalDate.parse(text);
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'settle-holidays-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, content: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<SettleError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof SettleError)) throw new Error(`expected a SettleError, got ${String(error)}`);
  return error;
}

describe('holiday overrides file', () => {
  it('adds a holiday and removes a built-in one', async () => {
    const file = await fileWith('ok.json', JSON.stringify({ _comment: 'test', add: [{ date: '2027-04-14', name: '임시공휴일' }], remove: ['2025-05-01'] }));
    const calendar = await createBusinessCalendar({ overridesFile: file });
    expect(calendar.isBusinessDay(d('2027-04-14'))).toBe(false);
    expect(calendar.nonBusinessReason(d('2027-04-14'))).toBe('임시공휴일');
    expect(calendar.isBusinessDay(d('2025-05-01'))).toBe(true);
    expect(calendar.isBusinessDay(d('2025-05-05'))).toBe(false); // other holidays untouched
  });

  it('a removed weekend date is still not a business day', async () => {
    const file = await fileWith('weekend.json', JSON.stringify({ remove: ['2026-03-01'] }));
    const calendar = await createBusinessCalendar({ overridesFile: file });
    expect(calendar.isBusinessDay(d('2026-03-01'))).toBe(false);
  });

  it('reports every bad entry at once, naming the file and the entry', async () => {
    const file = await fileWith(
      'bad.json',
      JSON.stringify({
        add: [{ date: '2025-2-9', name: 'x' }, { date: '2025-02-30', name: 'y' }, { date: '2025-03-04' }, 'nope'],
        remove: ['2025/01/01', 7],
        extra: true,
      }),
    );
    const error = await rejection(loadHolidayOverrides(file, { required: true }));
    expect(error.code).toBe('HOLIDAY_OVERRIDES_INVALID');
    expect(error.category).toBe('usage');
    expect(error.message).toContain(`holiday overrides file ${file} is invalid`);
    expect(error.message).toContain('add[0].date "2025-2-9" must be YYYY-MM-DD');
    expect(error.message).toContain('add[1].date "2025-02-30" is not a calendar date');
    expect(error.message).toContain('add[2].name must be a non-empty string');
    expect(error.message).toContain('add[3] must be');
    expect(error.message).toContain('remove[0] "2025/01/01" must be YYYY-MM-DD');
    expect(error.message).toContain('remove[1] must be a "YYYY-MM-DD" string, got 7');
    expect(error.message).toContain('unknown key "extra"');
  });

  it('rejects a file that is not JSON, or not an object, or lists a date in both add and remove', () => {
    expect(() => parseHolidayOverrides('{ add: [', 'f.json')).toThrow(/holiday overrides file f\.json is invalid:\n {2}- not valid JSON/);
    expect(() => parseHolidayOverrides('[]', 'f.json')).toThrow(/top level must be an object/);
    expect(() => parseHolidayOverrides('{"add":{},"remove":"2025-01-01"}', 'f.json')).toThrow(/"add" must be a list[\s\S]*"remove" must be a list/);
    expect(() => parseHolidayOverrides('{"add":[{"date":"2025-01-02","name":"a"}],"remove":["2025-01-02"]}', 'f.json')).toThrow(
      /2025-01-02 is both added and removed/,
    );
  });

  it('a missing file is an error when the operator named it, and no overrides otherwise', async () => {
    const missing = join(dir, 'missing.json');
    const error = await rejection(createBusinessCalendar({ overridesFile: missing }));
    expect(error.code).toBe('HOLIDAY_OVERRIDES_UNREADABLE');
    expect(error.message).toContain(missing);
    await expect(loadHolidayOverrides(missing, { required: false })).resolves.toEqual({ add: [], remove: [], verifiedThroughYear: null });
  });

  it('verifiedThroughYear raises the horizon past the built-in year, never lowers it', async () => {
    const builtIn = (await createBusinessCalendar({ overridesFile: await fileWith('none.json', '{}') })).verifiedThroughYear();
    expect(builtIn).toBe(2026);
    const later = await createBusinessCalendar({ overridesFile: await fileWith('later.json', JSON.stringify({ verifiedThroughYear: 2028 })) });
    expect(later.verifiedThroughYear()).toBe(2028);
    const earlier = await createBusinessCalendar({ overridesFile: await fileWith('earlier.json', JSON.stringify({ verifiedThroughYear: 2020 })) });
    expect(earlier.verifiedThroughYear()).toBe(2026);
  });

  it('verifiedThroughYear must be a whole year, named in the error', () => {
    for (const bad of ['"2027"', '2027.5', '27'])
      expect(() => parseHolidayOverrides(`{"verifiedThroughYear":${bad}}`, 'f.json'), bad).toThrow(
        /"verifiedThroughYear" must be a year such as 2027 \(a number\), got /,
      );
    expect(parseHolidayOverrides('{"verifiedThroughYear":2027}', 'f.json').verifiedThroughYear).toBe(2027);
  });

  it('the committed config/holidays.json is valid and is the default', async () => {
    expect(DEFAULT_HOLIDAY_OVERRIDES_FILE).toMatch(/config[/\\]holidays\.json$/);
    await expect(loadHolidayOverrides(DEFAULT_HOLIDAY_OVERRIDES_FILE, { required: true })).resolves.toBeDefined();
    const calendar = await createBusinessCalendar();
    expect(calendar.isBusinessDay(d('2025-01-28'))).toBe(false);
  });
});
