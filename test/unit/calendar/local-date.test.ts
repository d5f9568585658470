import { describe, it, expect } from 'vitest';
import { LocalDate, todayInSeoul } from '../../../src/domain/calendar/local-date.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';

function parseError(text: string, label?: string): SettleError {
  try {
    LocalDate.parse(text, label);
  } catch (error) {
    if (error instanceof SettleError) return error;
    throw error;
  }
  throw new Error(`"${text}" parsed`);
}

describe('LocalDate.parse', () => {
  it('reads YYYY-MM-DD and prints it back unchanged', () => {
    const date = LocalDate.parse('2025-02-09');
    expect(date.toString()).toBe('2025-02-09');
    expect([date.year, date.month, date.day]).toEqual([2025, 2, 9]);
    expect(JSON.stringify({ date })).toBe('{"date":"2025-02-09"}');
  });

  it.each(['2025-2-9', '20250209', '2025-02-09T00:00:00Z', ' 2025-02-09', '2025/02/09', '', '25-02-09'])(
    'rejects "%s" as not YYYY-MM-DD, naming the input',
    (text) => {
      const error = parseError(text, 'soldDate');
      expect(error.code).toBe('INVALID_DATE');
      expect(error.category).toBe('usage');
      expect(error.message).toBe(`soldDate "${text}" must be YYYY-MM-DD`);
    },
  );

  it.each(['2025-02-29', '2025-02-30', '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-00', '0050-01-01'])(
    'rejects the impossible date %s instead of rolling it over',
    (text) => {
      const error = parseError(text);
      expect(error.category).toBe('usage');
      expect(error.message).toBe(`date "${text}" is not a calendar date`);
    },
  );

  it('accepts 29 February in a leap year', () => {
    expect(LocalDate.parse('2024-02-29').toString()).toBe('2024-02-29');
  });

  it('of() refuses an impossible date too', () => {
    expect(() => LocalDate.of(2025, 2, 30)).toThrow(SettleError);
  });
});

describe('LocalDate arithmetic', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(LocalDate.parse('2024-02-28').addDays(1).toString()).toBe('2024-02-29');
    expect(LocalDate.parse('2024-02-28').addDays(2).toString()).toBe('2024-03-01');
    expect(LocalDate.parse('2025-12-31').addDays(1).toString()).toBe('2026-01-01');
    expect(LocalDate.parse('2026-01-01').addDays(-1).toString()).toBe('2025-12-31');
    expect(LocalDate.parse('2025-01-01').addDays(365).toString()).toBe('2026-01-01');
  });

  it('knows the day of the week (0 = Sunday)', () => {
    expect(LocalDate.parse('2025-02-09').dayOfWeek()).toBe(0);
    expect(LocalDate.parse('2023-11-25').dayOfWeek()).toBe(6);
    expect(LocalDate.parse('2025-02-13').dayOfWeek()).toBe(4);
    expect(LocalDate.parse('1970-01-01').dayOfWeek()).toBe(4);
    expect(LocalDate.parse('2025-02-08').isWeekend()).toBe(true);
    expect(LocalDate.parse('2025-02-10').isWeekend()).toBe(false);
  });

  it('compares and sorts by date', () => {
    const dates = ['2025-03-01', '2024-12-31', '2025-01-15'].map((t) => LocalDate.parse(t));
    expect(dates.sort((a, b) => a.compare(b)).map(String)).toEqual(['2024-12-31', '2025-01-15', '2025-03-01']);
    const [a, b] = [LocalDate.parse('2025-01-01'), LocalDate.parse('2025-01-02')];
    expect(a.isBefore(b) && b.isAfter(a) && !a.equals(b) && a.equals(LocalDate.parse('2025-01-01'))).toBe(true);
  });
});

describe('todayInSeoul', () => {
  it('turns to the next date at 15:00 UTC, Seoul midnight', () => {
    expect(todayInSeoul(new Date('2025-02-09T14:59:59.999Z')).toString()).toBe('2025-02-09');
    expect(todayInSeoul(new Date('2025-02-09T15:00:00.000Z')).toString()).toBe('2025-02-10');
  });

  it('is UTC+9 in summer too, since Korea keeps no daylight saving time', () => {
    expect(todayInSeoul(new Date('2025-07-16T15:00:00Z')).toString()).toBe('2025-07-17');
    expect(todayInSeoul(new Date('2025-12-31T16:30:00Z')).toString()).toBe('2026-01-01');
  });
});
