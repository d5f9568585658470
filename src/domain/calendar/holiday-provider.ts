import type { LocalDate } from './local-date.js';

/**
 * What the business calendar needs to know about holidays, beyond weekends. Implemented in infrastructure
 * (date-holidays plus our corrections and the operators' overrides file); tests pass a plain set of dates.
 */
export interface HolidayProvider {
  /** True when banks are closed on this date for a reason other than it being a weekend. */
  isHoliday(date: LocalDate): boolean;
  /** The holiday's name (names joined with ", " when two fall together), or null on an ordinary day. */
  holidayName(date: LocalDate): string | null;
}
