import Holidays, { type HolidaysTypes } from 'date-holidays';
import type { HolidayProvider } from '../../domain/calendar/holiday-provider.js';
import { LocalDate, todayInSeoul } from '../../domain/calendar/local-date.js';
import { EXTRA_HOLIDAYS, laborDays, RENAMED, SEOLLAL_EVE } from './korean-holiday-corrections.js';
import { NO_OVERRIDES, type HolidayOverrides } from './holiday-overrides-file.js';

const MS_PER_DAY = 86_400_000;
const TWELVE_HOURS_MS = 12 * 3_600_000;

/**
 * Korean bank holidays (weekends aside): date-holidays' KR public holidays, corrected where it is wrong
 * (korean-holiday-corrections.ts), then the operators' overrides file. Built one year at a time and cached.
 */
export class KoreanHolidays implements HolidayProvider {
  // 'observance' is left out on purpose: date-holidays' default types would make 제헌절 before 2026 a holiday.
  private readonly source = new Holidays('KR', { types: ['public', 'bank'] });
  private readonly years = new Map<number, ReadonlyMap<number, readonly string[]>>();

  constructor(private readonly overrides: HolidayOverrides = NO_OVERRIDES) {}

  isHoliday(date: LocalDate): boolean {
    return this.namesOn(date).length > 0;
  }

  holidayName(date: LocalDate): string | null {
    const names = this.namesOn(date);
    return names.length > 0 ? names.join(', ') : null;
  }

  private namesOn(date: LocalDate): readonly string[] {
    return this.yearTable(date.year).get(date.epochDay) ?? [];
  }

  private yearTable(year: number): ReadonlyMap<number, readonly string[]> {
    const cached = this.years.get(year);
    if (cached) return cached;
    const table = new Map<number, string[]>();
    const add = (date: LocalDate, name: string) => {
      if (date.year !== year) return;
      const names = table.get(date.epochDay) ?? [];
      if (!names.includes(name)) table.set(date.epochDay, [...names, name]);
    };

    for (const holiday of this.source.getHolidays(year)) {
      const name = RENAMED[holiday.name] ?? holiday.name;
      for (const date of this.datesOf(holiday, year)) add(date, name);
    }
    for (const extra of EXTRA_HOLIDAYS) add(LocalDate.parse(extra.date), extra.name);
    for (const labor of laborDays(year, (date) => table.has(date.epochDay))) add(labor.date, labor.name);
    for (const date of this.overrides.remove) if (date.year === year) table.delete(date.epochDay);
    for (const extra of this.overrides.add) add(extra.date, extra.name);

    this.years.set(year, table);
    return table;
  }

  /** The Seoul calendar dates a date-holidays entry covers, with Seollal's span moved to 전날·당일·다음날. */
  private datesOf(holiday: HolidaysTypes.Holiday, year: number): LocalDate[] {
    // date-holidays gives instants at Seoul midnight; read each day at Seoul noon so no offset can tip it over.
    const first = todayInSeoul(new Date(holiday.start.getTime() + TWELVE_HOURS_MS));
    const length = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / MS_PER_DAY));
    const isSeollalSpan = holiday.rule.startsWith('korean 01-0-01') && holiday.substitute !== true;
    const verifiedEve = SEOLLAL_EVE[year];
    const start = !isSeollalSpan ? first : verifiedEve ? LocalDate.parse(verifiedEve) : first.addDays(-1);
    return Array.from({ length: isSeollalSpan ? 3 : length }, (_, i) => start.addDays(i));
  }
}
