import { describe, expect, it } from 'vitest';
import { calendarHorizon, HORIZON_WARNING_DAYS, yearsPastHorizon } from '../../../src/domain/calendar/calendar-horizon.js';
import { LocalDate } from '../../../src/domain/calendar/local-date.js';

const d = (text: string) => LocalDate.parse(text);

describe('calendarHorizon', () => {
  it('counts the days left to December 31 of the verified year', () => {
    expect(calendarHorizon(2026, d('2026-06-01'))).toEqual({
      verifiedThroughYear: 2026,
      lastVerifiedDay: d('2026-12-31'),
      daysRemaining: 213,
      warning: false,
      pastHorizon: false,
    });
  });

  it('warns from 60 days before the end, inclusive, and on the last day itself', () => {
    expect(HORIZON_WARNING_DAYS).toBe(60);
    expect(calendarHorizon(2026, d('2026-10-31'))).toMatchObject({ daysRemaining: 61, warning: false });
    expect(calendarHorizon(2026, d('2026-11-01'))).toMatchObject({ daysRemaining: 60, warning: true, pastHorizon: false });
    expect(calendarHorizon(2026, d('2026-12-01'))).toMatchObject({ daysRemaining: 30, warning: true, pastHorizon: false });
    expect(calendarHorizon(2026, d('2026-12-31'))).toMatchObject({ daysRemaining: 0, warning: true, pastHorizon: false });
  });

  it('is past the horizon from January 1 on, with negative days', () => {
    expect(calendarHorizon(2026, d('2027-01-01'))).toMatchObject({ daysRemaining: -1, warning: true, pastHorizon: true });
  });
});

describe('yearsPastHorizon', () => {
  it('lists the years of a range beyond the verified one', () => {
    expect(yearsPastHorizon(2026, d('2026-12-26'), d('2027-01-04'))).toEqual([2027]);
    expect(yearsPastHorizon(2026, d('2026-12-20'), d('2026-12-31'))).toEqual([]);
    expect(yearsPastHorizon(2026, d('2027-12-28'), d('2028-01-03'))).toEqual([2027, 2028]);
  });
});
