import { LocalDate } from './local-date.js';

/**
 * How far ahead the holiday data can be trusted. Weekends, fixed and lunar holidays and statutory election days
 * are computed for any year, but 임시공휴일 (temporary holidays) are designated by the government, often weeks
 * ahead, and substitute-day rules change by decree: a year is trusted only once someone has checked it against
 * the government's published list. Past that year a payout date may be computed on a day banks are closed.
 */

/** `settle doctor` warns from this many days before the last verified day on. */
export const HORIZON_WARNING_DAYS = 60;

export interface CalendarHorizon {
  /** The last year whose holidays were checked against the government's published list. */
  readonly verifiedThroughYear: number;
  /** December 31 of that year. */
  readonly lastVerifiedDay: LocalDate;
  /** Days from `today` to lastVerifiedDay: 0 on the day itself, negative once past it. */
  readonly daysRemaining: number;
  /** daysRemaining is at most HORIZON_WARNING_DAYS (so also past the horizon). */
  readonly warning: boolean;
  /** today is after lastVerifiedDay. */
  readonly pastHorizon: boolean;
}

export function calendarHorizon(verifiedThroughYear: number, today: LocalDate): CalendarHorizon {
  const lastVerifiedDay = LocalDate.of(verifiedThroughYear, 12, 31);
  const daysRemaining = lastVerifiedDay.epochDay - today.epochDay;
  return { verifiedThroughYear, lastVerifiedDay, daysRemaining, warning: daysRemaining <= HORIZON_WARNING_DAYS, pastHorizon: daysRemaining < 0 };
}

/** The years from `from` through `through` (inclusive, in order) that lie past the verified year. */
export function yearsPastHorizon(verifiedThroughYear: number, from: LocalDate, through: LocalDate): number[] {
  const years: number[] = [];
  for (let year = Math.max(from.year, verifiedThroughYear + 1); year <= through.year; year += 1) years.push(year);
  return years;
}
