import Holidays, { type HolidaysTypes } from 'date-holidays';
import type { HolidayProvider } from '../../domain/calendar/holiday-provider.js';
import { LocalDate, todayInSeoul } from '../../domain/calendar/local-date.js';
import { statutoryElections } from '../../domain/calendar/statutory-elections.js';
import { BUILT_IN_VERIFIED_THROUGH_YEAR, EXTRA_HOLIDAYS, laborDays, RENAMED, SEOLLAL_EVE } from './korean-holiday-corrections.js';
import { NO_OVERRIDES, type HolidayOverrides } from './holiday-overrides-file.js';

const MS_PER_DAY = 86_400_000;
const TWELVE_HOURS_MS = 12 * 3_600_000;

/**
 * Where a holiday comes from, shown by `settle calendar holidays`: date-holidays as it is (`library`), our
 * corrections of it (`correction`: Seollal eve, 5/1, renamed holidays, built-in 임시공휴일 and early elections),
 * election days computed from the election law (`statute`), the operators' overrides file (`overrides`).
 */
export type HolidaySource = 'library' | 'correction' | 'statute' | 'overrides';

export interface HolidayEntry {
  readonly name: string;
  readonly source: HolidaySource;
}

interface Entry extends HolidayEntry {
  /** A public holiday in law (공휴일), as opposed to a bank-only closing (근로자의 날 before 2026). */
  readonly publicHoliday: boolean;
}

type YearTable = Map<number, Entry[]>;

/**
 * Korean bank holidays (weekends aside), in layers: date-holidays' KR public holidays, corrected where it is
 * wrong (korean-holiday-corrections.ts); term-expiry election days computed from the law; then the operators'
 * overrides file. Built one year at a time and cached.
 */
export class KoreanHolidays implements HolidayProvider {
  // 'observance' is left out on purpose: date-holidays' default types would make 제헌절 before 2026 a holiday.
  private readonly source = new Holidays('KR', { types: ['public', 'bank'] });
  private readonly statutory = new Map<number, YearTable>();
  private readonly years = new Map<number, ReadonlyMap<number, readonly Entry[]>>();

  constructor(private readonly overrides: HolidayOverrides = NO_OVERRIDES) {}

  isHoliday(date: LocalDate): boolean {
    return this.entriesOn(date).length > 0;
  }

  holidayName(date: LocalDate): string | null {
    const entries = this.entriesOn(date);
    return entries.length > 0 ? entries.map((e) => e.name).join(', ') : null;
  }

  /** The built-in year, or the overrides file's when it states a later one. */
  verifiedThroughYear(): number {
    return Math.max(BUILT_IN_VERIFIED_THROUGH_YEAR, this.overrides.verifiedThroughYear ?? BUILT_IN_VERIFIED_THROUGH_YEAR);
  }

  /** Each holiday on this date with where it comes from; empty on an ordinary day. */
  entriesOn(date: LocalDate): readonly HolidayEntry[] {
    return (this.yearTable(date.year).get(date.epochDay) ?? []).map(({ name, source }) => ({ name, source }));
  }

  private yearTable(year: number): ReadonlyMap<number, readonly Entry[]> {
    const cached = this.years.get(year);
    if (cached) return cached;
    const table = copy(this.statutoryTable(year));
    // Election days after the table they were computed from: rule ② must not see elections (it would recurse).
    for (const election of statutoryElections(year, (date) => this.isStatutoryPublicHoliday(date)))
      add(table, year, election.date, { name: election.name, source: 'statute', publicHoliday: true });
    for (const date of this.overrides.remove) if (date.year === year) table.delete(date.epochDay);
    for (const extra of this.overrides.add) add(table, year, extra.date, { name: extra.name, source: 'overrides', publicHoliday: false });
    this.years.set(year, table);
    return table;
  }

  /** Rule ② of the election law looks at the public holidays in law: date-holidays and our corrections only. */
  private isStatutoryPublicHoliday(date: LocalDate): boolean {
    return (this.statutoryTable(date.year).get(date.epochDay) ?? []).some((e) => e.publicHoliday);
  }

  /** date-holidays' KR public holidays with our corrections: no elections computed here, no overrides file. */
  private statutoryTable(year: number): YearTable {
    const cached = this.statutory.get(year);
    if (cached) return cached;
    const table: YearTable = new Map();
    for (const holiday of this.source.getHolidays(year)) {
      const renamed = RENAMED[holiday.name];
      const { dates, libraryDates } = this.datesOf(holiday, year);
      for (const date of dates) {
        const fromLibrary = renamed === undefined && libraryDates.some((d) => d.equals(date));
        add(table, year, date, { name: renamed ?? holiday.name, source: fromLibrary ? 'library' : 'correction', publicHoliday: true });
      }
    }
    for (const extra of EXTRA_HOLIDAYS) add(table, year, LocalDate.parse(extra.date), { name: extra.name, source: 'correction', publicHoliday: true });
    for (const labor of laborDays(year, (date) => table.has(date.epochDay)))
      add(table, year, labor.date, { name: labor.name, source: 'correction', publicHoliday: labor.publicHoliday });
    this.statutory.set(year, table);
    return table;
  }

  /**
   * The Seoul calendar dates a date-holidays entry covers (`libraryDates`), and the dates we use (`dates`): the
   * same, except Seollal's span moved to 전날·당일·다음날.
   */
  private datesOf(holiday: HolidaysTypes.Holiday, year: number): { dates: LocalDate[]; libraryDates: LocalDate[] } {
    // date-holidays gives instants at Seoul midnight; read each day at Seoul noon so no offset can tip it over.
    const first = todayInSeoul(new Date(holiday.start.getTime() + TWELVE_HOURS_MS));
    const length = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / MS_PER_DAY));
    const libraryDates = Array.from({ length }, (_, i) => first.addDays(i));
    const isSeollalSpan = holiday.rule.startsWith('korean 01-0-01') && holiday.substitute !== true;
    if (!isSeollalSpan) return { dates: libraryDates, libraryDates };
    const verifiedEve = SEOLLAL_EVE[year];
    const eve = verifiedEve ? LocalDate.parse(verifiedEve) : first.addDays(-1);
    return { dates: [0, 1, 2].map((i) => eve.addDays(i)), libraryDates };
  }
}

function add(table: YearTable, year: number, date: LocalDate, entry: Entry): void {
  if (date.year !== year) return;
  const entries = table.get(date.epochDay) ?? [];
  if (!entries.some((e) => e.name === entry.name)) table.set(date.epochDay, [...entries, entry]);
}

const copy = (table: YearTable): YearTable => new Map([...table].map(([day, entries]) => [day, [...entries]]));
