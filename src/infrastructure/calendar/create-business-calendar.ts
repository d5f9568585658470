import { BusinessCalendar } from '../../domain/calendar/business-calendar.js';
import { DEFAULT_HOLIDAY_OVERRIDES_FILE, loadHolidayOverrides } from './holiday-overrides-file.js';
import { KoreanHolidays } from './korean-holidays.js';

export interface CreateBusinessCalendarOptions {
  /** config.calendar.overridesFile (env HOLIDAY_OVERRIDES_FILE); null uses config/holidays.json if present. */
  readonly overridesFile?: string | null;
}

/** The Korean business calendar every component uses (CLI, producer, orders): one wiring, one set of holidays. */
export async function createBusinessCalendar(options: CreateBusinessCalendarOptions = {}): Promise<BusinessCalendar> {
  return new BusinessCalendar(await createKoreanHolidays(options));
}

/** The holiday data behind createBusinessCalendar, for callers that show where each holiday comes from. */
export async function createKoreanHolidays(options: CreateBusinessCalendarOptions = {}): Promise<KoreanHolidays> {
  const named = options.overridesFile ?? null;
  const overrides = await loadHolidayOverrides(named ?? DEFAULT_HOLIDAY_OVERRIDES_FILE, { required: named !== null });
  return new KoreanHolidays(overrides);
}
