import { LocalDate } from '../../domain/calendar/local-date.js';

/**
 * What date-holidays 3.37.0 gets wrong or leaves out for KR (each gap verified by running it; see TOSS_API.md §4).
 * Future 임시공휴일 and early elections go in config/holidays.json, which operators edit without a release.
 */

/**
 * 설날 전날 (lunar 12/last day) for the years we checked against KASI's lunar calendar. date-holidays anchors its
 * `korean 01-0-01 P3D` rule at lunar 1/1, so it leaves out 전날 and marks lunar 1/3 instead. For these years the
 * table is the truth; for others KoreanHolidays shifts date-holidays' span back a day (the same fix, by rule).
 * Its substitute days (2020-01-27, 2023-01-24, 2024-02-12, 2027-02-09, 2030-02-05) are already right.
 */
export const SEOLLAL_EVE: Readonly<Record<number, string>> = {
  2018: '2018-02-15',
  2019: '2019-02-04',
  2020: '2020-01-24',
  2021: '2021-02-11',
  2022: '2022-01-31',
  2023: '2023-01-21',
  2024: '2024-02-09',
  2025: '2025-01-28',
  2026: '2026-02-16',
  2027: '2027-02-06',
  2028: '2028-01-26',
  2029: '2029-02-12',
  2030: '2030-02-02',
};

/**
 * Holidays date-holidays has no rule for and no statute computes: the 2025 presidential election (held early
 * after a vacancy, so designated a holiday case by case, not a term-expiry election) and 임시공휴일 designated by
 * the government. Term-expiry election days are computed (statutory-elections.ts), not listed. Future 임시공휴일
 * go in config/holidays.json first (operators, no release), then here.
 */
export const EXTRA_HOLIDAYS: ReadonlyArray<{ readonly date: string; readonly name: string }> = [
  { date: '2020-08-17', name: '임시공휴일' },
  { date: '2023-10-02', name: '임시공휴일' },
  { date: '2024-10-01', name: '임시공휴일 (국군의 날)' },
  { date: '2025-01-27', name: '임시공휴일' },
  { date: '2025-06-03', name: '제21대 대통령선거' },
];

/**
 * The last year the built-in data was checked against the government's published list of holidays: the 월력요항
 * that 우주항공청 publishes each year, as carried by @hyunbinseo/holidays-kr. Every non-business weekday of 2026
 * in test/unit/calendar/korean-holidays.test.ts agrees with that list (2024–2025 were checked against the laws
 * and the designations of their 임시공휴일 and elections). Not 2027, although its list is out: our data gives
 * 2027-07-19 (제헌절 on a Saturday) a substitute day that the list leaves out, 노동절's substitute (2027-05-03) is
 * not confirmed against the gazette itself, and 2027's 임시공휴일 are not designated yet. What this cannot cover:
 * a 임시공휴일 designated after the check (operators add those to the overrides file). Raise it only after
 * checking the next year's list and adding its 임시공휴일 here; operators can state a later year in the file.
 */
export const BUILT_IN_VERIFIED_THROUGH_YEAR = 2026;

/** The year 5/1 became a 관공서 public holiday (노동절), with substitute days like the 국경일. */
const LABOR_DAY_PUBLIC_SINCE = 2026;

/**
 * 5/1 is a non-business day every year: banks close and card settlement rolls over it (근로자의 날), and from 2026
 * it is the public holiday 노동절. From 2026 a Saturday or Sunday 5/1 gives a substitute on the next weekday that
 * is not already a holiday ([HK]: 대체공휴일(노동절) 2027-05-03). `isOtherHoliday` sees every other holiday.
 */
export function laborDays(year: number, isOtherHoliday: (date: LocalDate) => boolean): Array<{ date: LocalDate; name: string; publicHoliday: boolean }> {
  const mayDay = LocalDate.of(year, 5, 1);
  // Before 2026 banks close but it is no public holiday: it does not move an election (statutory-elections.ts ②).
  if (year < LABOR_DAY_PUBLIC_SINCE) return [{ date: mayDay, name: '근로자의 날', publicHoliday: false }];
  const days = [{ date: mayDay, name: '노동절', publicHoliday: true }];
  if (mayDay.isWeekend()) {
    let substitute = mayDay.addDays(1);
    while (substitute.isWeekend() || isOtherHoliday(substitute)) substitute = substitute.addDays(1);
    days.push({ date: substitute, name: '노동절 (대체공휴일)', publicHoliday: true });
  }
  return days;
}

/** date-holidays still uses the pre-2017 name; 부처님오신날 is the legal name (관공서의 공휴일에 관한 규정 §2). */
export const RENAMED: Readonly<Record<string, string>> = {
  석가탄신일: '부처님오신날',
  '석가탄신일 (대체공휴일)': '부처님오신날 (대체공휴일)',
};
