import type { LocalDate } from './local-date.js';

/**
 * What the business calendar needs to know about holidays, beyond weekends. Implemented in infrastructure
 * (date-holidays plus our corrections, statutory election days and the operators' overrides file); tests pass a
 * plain set of dates.
 */
export interface HolidayProvider {
  /** True when banks are closed on this date for a reason other than it being a weekend. */
  isHoliday(date: LocalDate): boolean;
  /** The holiday's name (names joined with ", " when two fall together), or null on an ordinary day. */
  holidayName(date: LocalDate): string | null;
  /**
   * The last year whose holidays were checked against the government's published list (see calendar-horizon.ts).
   * Optional: a fixed list of dates (a test's) makes no claim about any year.
   */
  verifiedThroughYear?(): number;
}
