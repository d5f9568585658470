import { calendarHorizon } from '../../domain/calendar/calendar-horizon.js';
import { todayInSeoul } from '../../domain/calendar/local-date.js';
import { isSettleError } from '../../domain/shared/settle-error.js';
import { createKoreanHolidays } from '../calendar/create-business-calendar.js';
import { failed, passed, warned, type CheckResult } from './health-check.js';

const NAME = 'calendar';

/**
 * The holiday data every payout date rests on: the overrides file loads, and the data is verified far enough
 * ahead. Near its horizon (60 days) or past it, a warning: payout windows are still computed (the cron must not
 * stop on January 1), but a 임시공휴일 in an unchecked year is unknown to them.
 */
export async function checkCalendar(overridesFile: string | null, now: Date = new Date()): Promise<CheckResult> {
  let verifiedThroughYear: number;
  try {
    verifiedThroughYear = (await createKoreanHolidays({ overridesFile })).verifiedThroughYear();
  } catch (error) {
    if (!isSettleError(error)) throw error;
    return failed(
      NAME,
      error.message,
      'correct the holiday overrides file (HOLIDAY_OVERRIDES_FILE, default config/holidays.json) as described; settle produce refuses it too',
    );
  }
  const horizon = calendarHorizon(verifiedThroughYear, todayInSeoul(now));
  const end = horizon.lastVerifiedDay.toString();
  if (!horizon.warning) return passed(NAME, `holidays verified through ${verifiedThroughYear}: ${horizon.daysRemaining} days left (to ${end})`);
  const next = verifiedThroughYear + 1;
  const state = horizon.pastHorizon ? `${-horizon.daysRemaining} day(s) past its end (${end})` : `${horizon.daysRemaining} day(s) left (to ${end})`;
  return warned(
    NAME,
    `holidays verified only through ${verifiedThroughYear}: ${state}; payout dates in ${next} and later may miss a 임시공휴일`,
    `check ${next}'s holidays against the government's published list (월력요항), add its 임시공휴일 to config/holidays.json (or HOLIDAY_OVERRIDES_FILE) with "verifiedThroughYear": ${next}, and update the built-in data`,
  );
}
