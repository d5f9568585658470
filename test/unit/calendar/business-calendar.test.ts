import { describe, it, expect } from 'vitest';
import { BusinessCalendar } from '../../../src/domain/calendar/business-calendar.js';
import type { HolidayProvider } from '../../../src/domain/calendar/holiday-provider.js';
import { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';

/** A hand-written provider: the domain rules are tested apart from the Korean holiday data. */
class FixedHolidays implements HolidayProvider {
  constructor(private readonly names: Readonly<Record<string, string>>) {}
  isHoliday(date: LocalDate): boolean {
    return this.holidayName(date) !== null;
  }
  holidayName(date: LocalDate): string | null {
    return this.names[date.toString()] ?? null;
  }
}

const d = (text: string) => LocalDate.parse(text);
// February 2025 with one made-up holiday on Wednesday 02-12.
const calendar = new BusinessCalendar(new FixedHolidays({ '2025-02-12': 'test holiday' }));

describe('BusinessCalendar', () => {
  it('isBusinessDay_False_OnWeekendsAndHolidays', () => {
    expect(calendar.isBusinessDay(d('2025-02-08'))).toBe(false); // Saturday
    expect(calendar.isBusinessDay(d('2025-02-09'))).toBe(false); // Sunday
    expect(calendar.isBusinessDay(d('2025-02-12'))).toBe(false);
    expect(calendar.isBusinessDay(d('2025-02-11'))).toBe(true);
  });

  it('nonBusinessReason_NamesTheHolidayOrTheWeekday', () => {
    expect(calendar.nonBusinessReason(d('2025-02-12'))).toBe('test holiday');
    expect(calendar.nonBusinessReason(d('2025-02-08'))).toBe('토요일');
    expect(calendar.nonBusinessReason(d('2025-02-09'))).toBe('일요일');
    expect(calendar.nonBusinessReason(d('2025-02-10'))).toBeNull();
  });

  it('nextBusinessDay_SkipsWeekendsAndHolidays', () => {
    expect(calendar.nextBusinessDay(d('2025-02-07')).toString()).toBe('2025-02-10');
    expect(calendar.nextBusinessDay(d('2025-02-11')).toString()).toBe('2025-02-13');
    expect(calendar.previousBusinessDay(d('2025-02-10')).toString()).toBe('2025-02-07');
    expect(calendar.previousBusinessDay(d('2025-02-13')).toString()).toBe('2025-02-11');
  });

  it('rollForward_KeepsABusinessDay_MovesAnythingElse', () => {
    expect(calendar.rollForward(d('2025-02-10')).toString()).toBe('2025-02-10');
    expect(calendar.rollForward(d('2025-02-08')).toString()).toBe('2025-02-10');
    expect(calendar.rollForward(d('2025-02-12')).toString()).toBe('2025-02-13');
  });

  it('addBusinessDays_CountsOnlyBusinessDays', () => {
    expect(calendar.addBusinessDays(d('2025-02-10'), 0).toString()).toBe('2025-02-10');
    expect(calendar.addBusinessDays(d('2025-02-10'), 2).toString()).toBe('2025-02-13'); // Tue, (Wed holiday), Thu
    expect(calendar.addBusinessDays(d('2025-02-06'), 3).toString()).toBe('2025-02-11'); // Fri, Mon, Tue
  });

  it('addBusinessDays_RefusesNegativeOrFractionalCounts', () => {
    expect(() => calendar.addBusinessDays(d('2025-02-10'), -1)).toThrow(SettleError);
    expect(() => calendar.payoutWindow(d('2025-02-10'), 1.5)).toThrow(/whole number/);
  });

  it('payoutDate_RollsTheSoldDateForwardThenAddsBusinessDays', () => {
    // Sun 02-09 → Mon 02-10 → Tue 11, (Wed 12 holiday), Thu 13, Fri 14.
    expect(calendar.payoutDate(d('2025-02-09'), 3).toString()).toBe('2025-02-14');
    expect(calendar.payoutDate(d('2025-02-09'), 0).toString()).toBe('2025-02-10');
  });

  it('payoutWindow_Null_WhenNothingPaysOut', () => {
    expect(calendar.payoutWindow(d('2025-02-08'), 3)).toBeNull();
    expect(calendar.payoutWindow(d('2025-02-12'), 3)).toBeNull();
  });

  it('payoutWindow_IsExactlyTheSoldDatesThatPayOutThatDay', () => {
    const from = d('2025-01-20');
    for (const days of [0, 1, 3, 5]) {
      for (let payout = d('2025-02-03'); payout.isBefore(d('2025-03-01')); payout = payout.addDays(1)) {
        const bruteForce: string[] = [];
        for (let sold = from; sold.compare(payout) <= 0; sold = sold.addDays(1))
          if (calendar.payoutDate(sold, days).equals(payout)) bruteForce.push(sold.toString());
        const window = calendar.payoutWindow(payout, days);
        if (bruteForce.length === 0) expect(window).toBeNull();
        else expect(window && [window.from.toString(), window.to.toString()]).toEqual([bruteForce[0], bruteForce.at(-1)]);
      }
    }
  });

  it('step_Throws_WhenTheHolidayDataLeavesNoBusinessDay', () => {
    const everyDay: HolidayProvider = { isHoliday: () => true, holidayName: () => 'broken' };
    expect(() => new BusinessCalendar(everyDay).nextBusinessDay(d('2025-01-01'))).toThrow(/no business day/);
  });
});

describe('BusinessCalendar.verifiedThroughYear', () => {
  it('is the provider’s, or null when the provider states none', () => {
    expect(calendar.verifiedThroughYear()).toBeNull();
    const stating: HolidayProvider = { isHoliday: () => false, holidayName: () => null, verifiedThroughYear: () => 2031 };
    expect(new BusinessCalendar(stating).verifiedThroughYear()).toBe(2031);
  });
});
