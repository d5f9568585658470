import { SettleError } from '../shared/settle-error.js';
import type { HolidayProvider } from './holiday-provider.js';
import type { LocalDate } from './local-date.js';

/** The inclusive range of sold dates that one payout date settles. */
export interface PayoutWindow {
  readonly from: LocalDate;
  readonly to: LocalDate;
}

/** Longer than any real run of Korean non-business days (the longest is about ten); beyond it the data is broken. */
const MAX_CONSECUTIVE_NON_BUSINESS_DAYS = 60;

/**
 * Korean business-day arithmetic: a business day is a weekday that is not a holiday. Toss pays a sale out
 * N business days after its sold date, counted from the sold date rolled forward to a business day
 * (sold Sun 2025-02-09 → Mon 02-10 → +3 → Thu 02-13).
 */
export class BusinessCalendar {
  constructor(private readonly holidays: HolidayProvider) {}

  /** The last year the holiday data was verified for, or null when the provider states none (a test's fixed list). */
  verifiedThroughYear(): number | null {
    return this.holidays.verifiedThroughYear?.() ?? null;
  }

  isBusinessDay(date: LocalDate): boolean {
    return !date.isWeekend() && !this.holidays.isHoliday(date);
  }

  /** Why a date is not a business day ("토요일", a holiday's name), or null when it is one. */
  nonBusinessReason(date: LocalDate): string | null {
    const name = this.holidays.holidayName(date);
    if (name !== null) return name;
    if (date.dayOfWeek() === 6) return '토요일';
    if (date.dayOfWeek() === 0) return '일요일';
    return this.holidays.isHoliday(date) ? 'holiday' : null;
  }

  /** The first business day strictly after `date`. */
  nextBusinessDay(date: LocalDate): LocalDate {
    return this.step(date, 1);
  }

  /** The last business day strictly before `date`. */
  previousBusinessDay(date: LocalDate): LocalDate {
    return this.step(date, -1);
  }

  /** `date` itself when it is a business day, otherwise the next one. */
  rollForward(date: LocalDate): LocalDate {
    return this.isBusinessDay(date) ? date : this.nextBusinessDay(date);
  }

  /** Moves forward `days` business days; 0 returns `date` unchanged, even when it is not a business day. */
  addBusinessDays(date: LocalDate, days: number): LocalDate {
    assertDayCount(days);
    let current = date;
    for (let i = 0; i < days; i += 1) current = this.nextBusinessDay(current);
    return current;
  }

  /** When a sale made on `soldDate` is paid out, `days` business days after it. */
  payoutDate(soldDate: LocalDate, days: number): LocalDate {
    return this.addBusinessDays(this.rollForward(soldDate), days);
  }

  /**
   * Every sold date whose payoutDate is `payoutDate`, or null when nothing pays out that day (not a business
   * day). Windows of consecutive business days tile the calendar: each starts the day after the previous ends.
   */
  payoutWindow(payoutDate: LocalDate, days: number): PayoutWindow | null {
    assertDayCount(days);
    if (!this.isBusinessDay(payoutDate)) return null;
    // The business day `days` before the payout is the latest sold date; the window reaches back over the
    // non-business days before it, since those roll forward onto it.
    let latest = payoutDate;
    for (let i = 0; i < days; i += 1) latest = this.previousBusinessDay(latest);
    return { from: this.previousBusinessDay(latest).addDays(1), to: latest };
  }

  private step(date: LocalDate, direction: 1 | -1): LocalDate {
    let current = date;
    for (let i = 0; i < MAX_CONSECUTIVE_NON_BUSINESS_DAYS; i += 1) {
      current = current.addDays(direction);
      if (this.isBusinessDay(current)) return current;
    }
    throw new SettleError(
      'CALENDAR_NO_BUSINESS_DAY',
      `no business day within ${MAX_CONSECUTIVE_NON_BUSINESS_DAYS} days ${direction > 0 ? 'after' : 'before'} ${date.toString()}: check the holiday data`,
    );
  }
}

function assertDayCount(days: number): void {
  if (!Number.isInteger(days) || days < 0)
    throw new SettleError('INVALID_BUSINESS_DAYS', `business days must be a whole number ≥ 0, got ${days}`, { details: { days } });
}
