import Holidays from 'date-holidays';
import { describe, it, expect } from 'vitest';
import { BusinessCalendar } from '../../../src/domain/calendar/business-calendar.js';
import { LocalDate, todayInSeoul } from '../../../src/domain/calendar/local-date.js';
import { SEOLLAL_EVE } from '../../../src/infrastructure/calendar/korean-holiday-corrections.js';
import { KoreanHolidays } from '../../../src/infrastructure/calendar/korean-holidays.js';

/**
 * Every weekday of 2024–2027 on which Korean banks are closed. Sources: 공휴일에 관한 법률 and 관공서의 공휴일에
 * 관한 규정 (substitute rules), the 임시공휴일 and election days, 5/1, and [HK] for 2026–2027 (TOSS_API.md §4).
 */
const NON_BUSINESS_WEEKDAYS: Readonly<Record<number, readonly string[]>> = {
  2024: [
    '01-01',
    '02-09',
    '02-12',
    '03-01',
    '04-10',
    '05-01',
    '05-06',
    '05-15',
    '06-06',
    '08-15',
    '09-16',
    '09-17',
    '09-18',
    '10-01',
    '10-03',
    '10-09',
    '12-25',
  ],
  2025: [
    '01-01',
    '01-27',
    '01-28',
    '01-29',
    '01-30',
    '03-03',
    '05-01',
    '05-05',
    '05-06',
    '06-03',
    '06-06',
    '08-15',
    '10-03',
    '10-06',
    '10-07',
    '10-08',
    '10-09',
    '12-25',
  ],
  2026: ['01-01', '02-16', '02-17', '02-18', '03-02', '05-01', '05-05', '05-25', '06-03', '07-17', '08-17', '09-24', '09-25', '10-05', '10-09', '12-25'],
  // 07-19: 제헌절 (Sat 07-17) gets a substitute like the other 국경일 since its 2026 reinstatement (date-holidays
  // 3.37.0 agrees). The list this test was written from left it out; see the test "제헌절 2027" below.
  2027: ['01-01', '02-08', '02-09', '03-01', '05-03', '05-05', '05-13', '07-19', '08-16', '09-14', '09-15', '09-16', '10-04', '10-11', '12-27'],
};

const d = (text: string) => LocalDate.parse(text);
const holidays = new KoreanHolidays();
const calendar = new BusinessCalendar(holidays);

function weekdaysOf(year: number): LocalDate[] {
  const days: LocalDate[] = [];
  for (let date = LocalDate.of(year, 1, 1); date.year === year; date = date.addDays(1)) if (!date.isWeekend()) days.push(date);
  return days;
}

describe('Korean non-business weekdays 2024–2027', () => {
  for (const [year, expected] of Object.entries(NON_BUSINESS_WEEKDAYS)) {
    it(`${year}: exactly the listed weekdays are not business days`, () => {
      const actual = weekdaysOf(Number(year))
        .filter((date) => !calendar.isBusinessDay(date))
        .map((date) => date.toString().slice(5));
      expect(actual).toEqual(expected);
    });

    it(`${year}: every listed date has a name`, () => {
      for (const md of expected) expect(holidays.holidayName(d(`${year}-${md}`)), `${year}-${md}`).not.toBeNull();
    });
  }
});

describe('corrections to date-holidays', () => {
  it('Seollal is 전날·당일·다음날, not 당일 to lunar 1/3', () => {
    expect(holidays.holidayName(d('2024-02-09'))).toBe('설날');
    expect(holidays.holidayName(d('2025-01-28'))).toBe('설날');
    expect(calendar.isBusinessDay(d('2025-01-31'))).toBe(true); // lunar 1/3, which date-holidays marks
    expect(holidays.holidayName(d('2026-02-16'))).toBe('설날');
    expect(calendar.isBusinessDay(d('2026-02-19'))).toBe(true);
  });

  it('the verified Seollal table agrees with the rule-based fix (date-holidays span moved back a day) for 2018–2030', () => {
    const source = new Holidays('KR', { types: ['public'] });
    for (let year = 2018; year <= 2030; year += 1) {
      const span = source.getHolidays(year).find((h) => h.rule.startsWith('korean 01-0-01'));
      const lunarNewYear = span && todayInSeoul(new Date(span.start.getTime() + 12 * 3_600_000));
      expect(lunarNewYear?.addDays(-1).toString(), String(year)).toBe(SEOLLAL_EVE[year]);
      const eve = d(SEOLLAL_EVE[year] ?? '');
      for (const offset of [0, 1, 2]) expect(holidays.holidayName(eve.addDays(offset))).toBe('설날');
    }
  });

  it('election days and 임시공휴일 are holidays', () => {
    for (const date of [
      '2018-06-13',
      '2020-04-15',
      '2022-03-09',
      '2022-06-01',
      '2024-04-10',
      '2025-06-03',
      '2026-06-03',
      '2020-08-17',
      '2023-10-02',
      '2024-10-01',
      '2025-01-27',
    ])
      expect(calendar.isBusinessDay(d(date)), date).toBe(false);
  });

  it('5/1 is a non-business day every year: 근로자의 날 through 2025, 노동절 from 2026', () => {
    expect(holidays.holidayName(d('2024-05-01'))).toBe('근로자의 날');
    expect(holidays.holidayName(d('2025-05-01'))).toBe('근로자의 날');
    expect(holidays.holidayName(d('2026-05-01'))).toBe('노동절');
    expect(holidays.holidayName(d('2027-05-03'))).toBe('노동절 (대체공휴일)'); // 5/1 is a Saturday; [HK] lists it
    expect(holidays.isHoliday(d('2022-05-02'))).toBe(false); // Sunday 5/1 before 2026: no substitute
  });

  it('observances are not holidays: 제헌절 before 2026 is a business day, from 2026 it is not', () => {
    expect(calendar.isBusinessDay(d('2025-07-17'))).toBe(true);
    expect(holidays.holidayName(d('2026-07-17'))).toBe('제헌절');
  });

  it('제헌절 2027 (Saturday) gives a substitute on Monday 07-19', () => {
    // The 2026 reinstatement put 제헌절 under the substitute rule of the other 국경일 (date-holidays 3.37.0,
    // python-holidays PR #3728 and Nager.Date #972 agree). If the gazette says otherwise, add "2027-07-19" to
    // "remove" in config/holidays.json.
    expect(holidays.holidayName(d('2027-07-19'))).toBe('제헌절 (대체공휴일)');
  });

  it('uses the legal name 부처님오신날', () => {
    expect(holidays.holidayName(d('2024-05-15'))).toBe('부처님오신날');
    expect(holidays.holidayName(d('2025-05-05'))).toBe('어린이날, 부처님오신날');
  });
});

describe('substitute holidays (관공서의 공휴일에 관한 규정 §3)', () => {
  it.each([
    ['2024-02-12', '설날 (대체공휴일)'], // 설날 on Sunday 02-11
    ['2024-05-06', '어린이날 (대체공휴일)'], // Sunday
    ['2025-03-03', '3·1절 (대체공휴일)'], // Saturday
    ['2025-05-06', '어린이날 (대체공휴일), 부처님오신날 (대체공휴일)'], // both on Monday 05-05
    ['2025-10-08', '추석 (대체공휴일)'], // 추석 전날 on Sunday 10-05
    ['2026-03-02', '3·1절 (대체공휴일)'],
    ['2026-05-25', '부처님오신날 (대체공휴일)'], // Sunday 05-24, substitute since 2023
    ['2026-08-17', '광복절 (대체공휴일)'],
    ['2026-10-05', '개천절 (대체공휴일)'],
    ['2027-02-09', '설날 (대체공휴일)'], // 설날 on Sunday 02-07; 전날 on Saturday gives none
    ['2027-08-16', '광복절 (대체공휴일)'],
    ['2027-10-04', '개천절 (대체공휴일)'],
    ['2027-10-11', '한글날 (대체공휴일)'],
    ['2027-12-27', '기독탄신일 (대체공휴일)'], // Saturday, substitute since 2023
  ])('%s is %s', (date, name) => {
    expect(holidays.holidayName(d(date))).toBe(name);
  });

  it.each([
    ['2026-06-08', '현충일 on Saturday 06-06: 현충일 has no substitute rule'],
    ['2027-06-07', '현충일 on Sunday 06-06'],
    ['2026-09-28', '추석 다음날 on Saturday 09-26: Seollal/Chuseok substitute only for Sunday'],
    ['2021-12-27', '성탄절 on Saturday before 2023'],
    ['2027-01-04', '1/1 has no substitute rule'],
  ])('%s is a business day (%s)', (date) => {
    expect(calendar.isBusinessDay(d(date))).toBe(true);
  });
});

describe('where each holiday comes from', () => {
  it.each([
    ['2026-02-16', [{ name: '설날', source: 'correction' }]], // 설날 전날: date-holidays leaves it out
    ['2026-02-17', [{ name: '설날', source: 'library' }]],
    ['2024-02-12', [{ name: '설날 (대체공휴일)', source: 'library' }]],
    [
      '2025-05-05',
      [
        { name: '어린이날', source: 'library' },
        { name: '부처님오신날', source: 'correction' },
      ],
    ], // renamed from 석가탄신일
    ['2025-05-01', [{ name: '근로자의 날', source: 'correction' }]],
    ['2024-10-01', [{ name: '임시공휴일 (국군의 날)', source: 'correction' }]],
    ['2025-06-03', [{ name: '제21대 대통령선거', source: 'correction' }]], // early election, designated
    ['2024-04-10', [{ name: '제22대 국회의원선거', source: 'statute' }]],
    ['2025-02-10', []],
  ])('%s', (date, entries) => {
    expect(holidays.entriesOn(d(date))).toEqual(entries);
  });

  it('the overrides file adds with source "overrides" and removes whatever the day held', () => {
    const overridden = new KoreanHolidays({
      add: [{ date: d('2027-04-14'), name: '임시공휴일' }],
      remove: [d('2026-06-03'), d('2026-05-01')],
      verifiedThroughYear: null,
    });
    expect(overridden.entriesOn(d('2027-04-14'))).toEqual([{ name: '임시공휴일', source: 'overrides' }]);
    expect(overridden.entriesOn(d('2026-06-03'))).toEqual([]); // a statutory election removed
    expect(overridden.entriesOn(d('2026-05-01'))).toEqual([]);
    expect(overridden.isHoliday(d('2026-06-03'))).toBe(false);
  });

  it('the built-in data states its verified year', () => {
    expect(holidays.verifiedThroughYear()).toBe(2026);
  });
});
