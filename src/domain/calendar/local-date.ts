import { SettleError } from '../shared/settle-error.js';

const MS_PER_DAY = 86_400_000;
/** Korea Standard Time is UTC+9 all year: Korea has observed no daylight saving time since 1988. */
const SEOUL_OFFSET_MS = 9 * 3_600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 0 = Sunday … 6 = Saturday, the same numbering as Date#getUTCDay. */
export type DayOfWeek = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/**
 * A calendar date with no time and no time zone (Toss's soldDate/paidOutDate). Stored as days since
 * 1970-01-01 and computed only with Date.UTC, so the machine's time zone can never shift a date.
 */
export class LocalDate {
  private constructor(readonly epochDay: number) {}

  /** Parses strict YYYY-MM-DD; `label` names the input in the error, e.g. `argument <soldDate>`. */
  static parse(text: string, label = 'date'): LocalDate {
    const match = ISO_DATE.exec(text);
    if (!match) throw invalidDate(label, text, 'must be YYYY-MM-DD');
    const date = LocalDate.tryOf(Number(match[1]), Number(match[2]), Number(match[3]));
    if (!date) throw invalidDate(label, text, 'is not a calendar date');
    return date;
  }

  /** Throws on an impossible date (month 13, February 30) instead of rolling it over as Date.UTC does. */
  static of(year: number, month: number, day: number): LocalDate {
    const date = LocalDate.tryOf(year, month, day);
    if (!date) throw invalidDate('date', `${year}-${month}-${day}`, 'is not a calendar date');
    return date;
  }

  static fromEpochDay(epochDay: number): LocalDate {
    if (!Number.isSafeInteger(epochDay)) throw new SettleError('EPOCH_DAY_INVALID', `epoch day ${epochDay} is not a whole number`);
    return new LocalDate(epochDay);
  }

  private static tryOf(year: number, month: number, day: number): LocalDate | null {
    // Date.UTC reads years 0-99 as 1900-1999, so those are out of range rather than silently wrong.
    if (![year, month, day].every(Number.isInteger) || year < 100 || year > 9999) return null;
    const ms = Date.UTC(year, month - 1, day);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
    return new LocalDate(Math.round(ms / MS_PER_DAY));
  }

  get year(): number {
    return this.utc().getUTCFullYear();
  }

  get month(): number {
    return this.utc().getUTCMonth() + 1;
  }

  get day(): number {
    return this.utc().getUTCDate();
  }

  dayOfWeek(): DayOfWeek {
    return this.utc().getUTCDay() as DayOfWeek;
  }

  isWeekend(): boolean {
    const dow = this.dayOfWeek();
    return dow === 0 || dow === 6;
  }

  addDays(days: number): LocalDate {
    return LocalDate.fromEpochDay(this.epochDay + days);
  }

  /** Negative when this is before `other`, 0 when equal, positive after: usable with Array#sort. */
  compare(other: LocalDate): number {
    return this.epochDay - other.epochDay;
  }

  equals(other: LocalDate): boolean {
    return this.epochDay === other.epochDay;
  }

  isBefore(other: LocalDate): boolean {
    return this.epochDay < other.epochDay;
  }

  isAfter(other: LocalDate): boolean {
    return this.epochDay > other.epochDay;
  }

  toString(): string {
    return this.utc().toISOString().slice(0, 10);
  }

  toJSON(): string {
    return this.toString();
  }

  private utc(): Date {
    return new Date(this.epochDay * MS_PER_DAY);
  }
}

/** The calendar date in Asia/Seoul at the instant `now` (e.g. 2025-02-09T15:00Z is already 02-10 in Seoul). */
export function todayInSeoul(now: Date): LocalDate {
  return LocalDate.fromEpochDay(Math.floor((now.getTime() + SEOUL_OFFSET_MS) / MS_PER_DAY));
}

function invalidDate(label: string, text: string, problem: string): SettleError {
  return new SettleError('INVALID_DATE', `${label} "${text}" ${problem}`, { details: { label, value: text } });
}
