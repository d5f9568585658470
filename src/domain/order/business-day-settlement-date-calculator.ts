import type { BusinessCalendar } from '../calendar/business-calendar.js';
import { todayInSeoul } from '../calendar/local-date.js';
import { SettleError } from '../shared/settle-error.js';
import type { SettlementDateCalculator } from './settlement-date-calculator.js';

/**
 * The producer's calendar rule applied to one payment or cancel: its Asia/Seoul date is the sold date, rolled
 * forward to a business day, plus `delayBusinessDays` (config PAYOUT_DELAY_BUSINESS_DAYS, 3 by default).
 */
export class BusinessDaySettlementDateCalculator implements SettlementDateCalculator {
  constructor(
    private readonly calendar: BusinessCalendar,
    private readonly delayBusinessDays = 3,
  ) {}

  expectedSettlementDate(instant: Date | string): string {
    const at = typeof instant === 'string' ? new Date(instant) : instant;
    if (Number.isNaN(at.getTime())) throw new SettleError('INSTANT_INVALID', `"${String(instant)}" is not an ISO-8601 date-time`);
    return this.calendar.payoutDate(todayInSeoul(at), this.delayBusinessDays).toString();
  }
}
