import type { BusinessCalendar, PayoutWindow } from '../domain/calendar/business-calendar.js';
import { calendarHorizon, type CalendarHorizon, yearsPastHorizon } from '../domain/calendar/calendar-horizon.js';
import { type LocalDate, todayInSeoul } from '../domain/calendar/local-date.js';
import type { Logger } from '../infrastructure/logging/logger.js';

/** What `settle produce` learns about the payout it computed: did it rest on holiday data nobody verified? */
export interface PayoutWindowHorizon {
  /** The calendar's verified-through year; null when its holiday data states none (a test's fixed list). */
  readonly verifiedThroughYear: number | null;
  /** Some day from the window's first sold date through the payout date lies past that year. */
  readonly pastHorizon: boolean;
  /** Those years, in order; empty when none. */
  readonly yearsPast: readonly number[];
}

/**
 * The years past the calendar's horizon that a payout touches: the sold dates of `window` (null on a
 * non-business day, when only the payout date counts) through `payoutDate`. Pure; never throws.
 */
export function payoutWindowHorizon(calendar: BusinessCalendar, payoutDate: LocalDate, window: PayoutWindow | null): PayoutWindowHorizon {
  const verifiedThroughYear = calendar.verifiedThroughYear();
  if (verifiedThroughYear === null) return { verifiedThroughYear, pastHorizon: false, yearsPast: [] };
  const from = window !== null && window.from.isBefore(payoutDate) ? window.from : payoutDate;
  const yearsPast = yearsPastHorizon(verifiedThroughYear, from, payoutDate);
  return { verifiedThroughYear, pastHorizon: yearsPast.length > 0, yearsPast };
}

/**
 * Logs one warn line when the payout touched a year past the horizon, naming the years and the fix; returns
 * whether it did. A warning only, never an error: the daily cron must keep running on January 1.
 */
export function warnIfPastHorizon(logger: Logger, result: PayoutWindowHorizon): boolean {
  if (!result.pastHorizon) return false;
  const years = result.yearsPast.join(', ');
  logger.warn(
    { code: 'CALENDAR_PAST_HORIZON', verifiedThroughYear: result.verifiedThroughYear, yearsPast: result.yearsPast },
    `the payout window reaches ${years}, past the holiday data verified through ${result.verifiedThroughYear}: a 임시공휴일 there is unknown and the window may be wrong. ` +
      `Fix: check ${years} against the government's published holidays (월력요항), add its 임시공휴일 to config/holidays.json (or the HOLIDAY_OVERRIDES_FILE) with "verifiedThroughYear": ${result.yearsPast.at(-1)}, and update the built-in data`,
  );
  return true;
}

/**
 * Where the calendar's horizon stands today (Asia/Seoul): for `settle calendar horizon`, the doctor and the
 * gauge `settle_calendar_horizon_days_remaining` (= .daysRemaining, negative once past). Null when the holiday
 * data states no horizon.
 */
export function calendarHorizonStatus(calendar: BusinessCalendar, now: Date = new Date()): CalendarHorizon | null {
  const verifiedThroughYear = calendar.verifiedThroughYear();
  return verifiedThroughYear === null ? null : calendarHorizon(verifiedThroughYear, todayInSeoul(now));
}
