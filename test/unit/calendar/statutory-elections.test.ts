import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../src/domain/calendar/business-calendar.js';
import { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { electionDay, statutoryElections, type ElectionKind } from '../../../src/domain/calendar/statutory-elections.js';
import { KoreanHolidays } from '../../../src/infrastructure/calendar/korean-holidays.js';

const d = (text: string) => LocalDate.parse(text);
const holidays = new KoreanHolidays();
const calendar = new BusinessCalendar(holidays);
const noHolidays = () => false;

/** The term-expiry election days the real holiday data computes for a year, as "date name". */
const electionsOf = (year: number) =>
  [...Array(366).keys()]
    .map((i) => LocalDate.of(year, 1, 1).addDays(i))
    .filter((date) => date.year === year && holidays.entriesOn(date).some((e) => e.source === 'statute'))
    .map((date) => `${date.toString()} ${holidays.holidayName(date) ?? ''}`);

describe('statutory election days (공직선거법 §34), from the real holiday data', () => {
  it.each<[string, ElectionKind, string, string]>([
    // National Assembly: terms expire May 29; first Wednesday on/after the 50th day before (April 9)
    ['2008-04-09', 'national-assembly', '2008-05-29', '제18대 국회의원선거'], // April 9 is itself a Wednesday: "on or after"
    ['2012-04-11', 'national-assembly', '2012-05-29', '제19대 국회의원선거'],
    ['2016-04-13', 'national-assembly', '2016-05-29', '제20대 국회의원선거'],
    ['2020-04-15', 'national-assembly', '2020-05-29', '제21대 국회의원선거'],
    ['2024-04-10', 'national-assembly', '2024-05-29', '제22대 국회의원선거'],
    ['2028-04-12', 'national-assembly', '2028-05-29', '제23대 국회의원선거'],
    // local: terms expire June 30; first Wednesday on/after the 30th day before (May 31)
    ['2006-05-31', 'local', '2006-06-30', '제4회 전국동시지방선거'],
    ['2010-06-02', 'local', '2010-06-30', '제5회 전국동시지방선거'],
    ['2014-06-04', 'local', '2014-06-30', '제6회 전국동시지방선거'],
    ['2018-06-13', 'local', '2018-06-30', '제7회 전국동시지방선거'], // Wed 06-06 is 현충일 → next week (②)
    ['2022-06-01', 'local', '2022-06-30', '제8회 전국동시지방선거'],
    ['2026-06-03', 'local', '2026-06-30', '제9회 전국동시지방선거'],
    // 2030: May 31 is a Friday, so the first Wednesday is 06-05; the day after it, Thu 06-06, is 현충일 → 06-12 (②).
    ['2030-06-12', 'local', '2030-06-30', '제10회 전국동시지방선거'],
    // presidential: first Wednesday on/after the 70th day before the term's expiry
    ['2007-12-19', 'presidential', '2008-02-24', '제17대 대통령선거'],
    ['2012-12-19', 'presidential', '2013-02-24', '제18대 대통령선거'], // 70 days before is Sun 2012-12-16
    ['2022-03-09', 'presidential', '2022-05-09', '제20대 대통령선거'], // Mon 02-28 → Wed 03-02, but 03-01 is 3·1절 (②)
    // 2030 by hand: 2030-06-03 minus 70 days = 2030-03-25 (3 days back to May 31, 31 more to April 30, 30 more to
    // March 31, 6 more to March 25), a Monday. The first Wednesday is 03-27; Tue 03-26 and Thu 03-28 are ordinary
    // days, so ② does not apply.
    ['2030-03-27', 'presidential', '2030-06-03', '제22대 대통령선거'],
  ])('%s: %s election (term expiring %s)', (date, kind, expiry, name) => {
    expect(electionDay(kind, d(expiry), (day) => holidays.isHoliday(day) && !holidays.entriesOn(day).some((e) => e.source === 'statute'))).toEqual(d(date));
    const found = statutoryElections(d(date).year, noHolidays).find((e) => e.kind === kind);
    expect(found?.name).toBe(name);
    expect(found?.termExpiry).toEqual(d(expiry));
    expect(holidays.holidayName(d(date))).toBe(name);
    expect(holidays.entriesOn(d(date))).toEqual([{ name, source: 'statute' }]);
    expect(calendar.isBusinessDay(d(date))).toBe(false);
  });

  it('2028-04-12, the 23rd National Assembly election, is not a business day (the gap issue 11 names)', () => {
    expect(calendar.isBusinessDay(d('2028-04-12'))).toBe(false);
    expect(calendar.nonBusinessReason(d('2028-04-12'))).toBe('제23대 국회의원선거');
  });

  it('lists exactly the term-expiry elections of a year, none in years without one', () => {
    expect(electionsOf(2022)).toEqual(['2022-03-09 제20대 대통령선거', '2022-06-01 제8회 전국동시지방선거']);
    expect(electionsOf(2030)).toEqual(['2030-03-27 제22대 대통령선거', '2030-06-12 제10회 전국동시지방선거']);
    expect(electionsOf(2012)).toEqual(['2012-04-11 제19대 국회의원선거', '2012-12-19 제18대 대통령선거']);
    // 2025's early presidential election is a designated holiday (correction), not a statutory one; 2027 and
    // 2017 had their presidential terms cut short, so no term-expiry election falls in them.
    expect(electionsOf(2025)).toEqual([]);
    expect(electionsOf(2027)).toEqual([]);
    expect(electionsOf(2017)).toEqual([]);
    expect(holidays.entriesOn(d('2025-06-03'))).toEqual([{ name: '제21대 대통령선거', source: 'correction' }]);
  });

  it('presidential terms keep their five-year cycle after 2030', () => {
    // 2035-06-03 minus 70 days is Sunday 2035-03-25; the first Wednesday after it is 03-28.
    expect(statutoryElections(2035, noHolidays).map((e) => [e.date.toString(), e.name])).toEqual([['2035-03-28', '제23대 대통령선거']]);
  });

  it('the rule itself, apart from Korean data', () => {
    const expiry = d('2028-05-29'); // 50 days before: Sunday 2028-04-09
    expect(electionDay('national-assembly', expiry, noHolidays)).toEqual(d('2028-04-12'));
    // ②: the Wednesday itself, the day before or the day after being a holiday each move it one week, once
    for (const holiday of ['2028-04-11', '2028-04-12', '2028-04-13'])
      expect(
        electionDay('national-assembly', expiry, (day) => day.toString() === holiday),
        holiday,
      ).toEqual(d('2028-04-19'));
    // not two days away, and never a second move even if the next Wednesday is a holiday too
    expect(electionDay('national-assembly', expiry, (day) => day.toString() === '2028-04-14')).toEqual(d('2028-04-12'));
    expect(electionDay('national-assembly', expiry, (day) => ['2028-04-12', '2028-04-19'].includes(day.toString()))).toEqual(d('2028-04-19'));
  });

  it('② looks at statutory public holidays only: an overrides-file day next to an election does not move it', () => {
    const withOverride = new KoreanHolidays({ add: [{ date: d('2028-04-11'), name: '임시공휴일' }], remove: [], verifiedThroughYear: null });
    expect(withOverride.holidayName(d('2028-04-12'))).toBe('제23대 국회의원선거');
    expect(withOverride.isHoliday(d('2028-04-19'))).toBe(false);
  });
});
