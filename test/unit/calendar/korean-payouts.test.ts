import { describe, it, expect } from 'vitest';
import { BusinessCalendar } from '../../../src/domain/calendar/business-calendar.js';
import { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { KoreanHolidays } from '../../../src/infrastructure/calendar/korean-holidays.js';

const d = (text: string) => LocalDate.parse(text);
const calendar = new BusinessCalendar(new KoreanHolidays());
const payout = (sold: string, days = 3) => calendar.payoutDate(d(sold), days).toString();
const window = (paid: string, days = 3) => {
  const w = calendar.payoutWindow(d(paid), days);
  return w && `${w.from.toString()} ${w.to.toString()}`;
};

describe('Toss live data points (TOSS_API.md §4)', () => {
  it('[T1] sold Sun 2025-02-09 is paid Thu 02-13: Mon 02-10 + 3 business days', () => {
    expect(payout('2025-02-09')).toBe('2025-02-13');
  });

  it('[T3] sold Sat 2023-11-25 is paid Thu 11-30: Mon 11-27 + 3 business days', () => {
    expect(payout('2023-11-25')).toBe('2023-11-30');
  });

  it('[T2] and [T4] fit N = 5 (another merchant contract)', () => {
    expect(payout('2025-06-18', 5)).toBe('2025-06-25');
    expect(payout('2025-11-21', 5)).toBe('2025-11-28');
  });

  it('payday Thu 2025-02-13 settles sold dates Sat 02-08 to Mon 02-10 (Fri 02-07 was paid Wed 02-12)', () => {
    expect(window('2025-02-13')).toBe('2025-02-08 2025-02-10');
    expect(payout('2025-02-07')).toBe('2025-02-12');
  });
});

describe('Seollal and Chuseok weeks, N = 3', () => {
  // 2025 Seollal: Mon 01-27 (임시공휴일) to Thu 01-30 are closed; Fri 01-31 is open.
  it('2025 Seollal', () => {
    expect(payout('2025-01-22')).toBe('2025-01-31'); // Thu 23, Fri 24, Fri 31
    expect(payout('2025-01-23')).toBe('2025-02-03'); // Fri 24, Fri 31, Mon 03
    expect(payout('2025-01-24')).toBe('2025-02-04'); // Fri 31, Mon 03, Tue 04
    expect(payout('2025-01-27')).toBe('2025-02-05'); // rolls to Fri 31; Mon 03, Tue 04, Wed 05
    expect(window('2025-01-31')).toBe('2025-01-22 2025-01-22');
    expect(window('2025-02-05')).toBe('2025-01-25 2025-01-31'); // the whole closed week rolls onto Fri 31
    expect(window('2025-01-28')).toBeNull();
  });

  // 2024 Seollal: Fri 02-09 to Mon 02-12 (substitute) closed.
  it('2024 Seollal', () => {
    expect(payout('2024-02-07')).toBe('2024-02-14'); // Thu 08, Tue 13, Wed 14
    expect(payout('2024-02-08')).toBe('2024-02-15'); // Tue 13, Wed 14, Thu 15
    expect(window('2024-02-16')).toBe('2024-02-09 2024-02-13');
  });

  // 2025 Chuseok: Fri 10-03 (개천절) to Thu 10-09 (한글날) closed: seven days in a row.
  it('2025 Chuseok', () => {
    expect(payout('2025-10-01')).toBe('2025-10-13'); // Thu 02, Fri 10, Mon 13
    expect(payout('2025-10-02')).toBe('2025-10-14'); // Fri 10, Mon 13, Tue 14
    expect(payout('2025-10-06')).toBe('2025-10-15'); // rolls to Fri 10; Mon 13, Tue 14, Wed 15
    expect(window('2025-10-15')).toBe('2025-10-03 2025-10-10');
  });

  // 2024 Chuseok: Mon 09-16 to Wed 09-18 closed.
  it('2024 Chuseok', () => {
    expect(payout('2024-09-13')).toBe('2024-09-23'); // Thu 19, Fri 20, Mon 23
    expect(window('2024-09-24')).toBe('2024-09-14 2024-09-19');
  });
});

describe('payoutWindow ⇄ payoutDate over 2024–2027', () => {
  const first = d('2024-01-01');
  const last = d('2027-12-31');

  for (const days of [0, 1, 3, 5]) {
    it(`N = ${days}: every sold date in a payday's window pays out that day, and the windows tile the calendar`, () => {
      let previous: { from: LocalDate; to: LocalDate } | null = null;
      for (let paid = first; paid.compare(last) <= 0; paid = paid.addDays(1)) {
        const w = calendar.payoutWindow(paid, days);
        expect(w === null, paid.toString()).toBe(!calendar.isBusinessDay(paid));
        if (!w) continue;
        for (let sold = w.from; sold.compare(w.to) <= 0; sold = sold.addDays(1)) expect(calendar.payoutDate(sold, days).equals(paid)).toBe(true);
        // No gap and no overlap: each window starts the day after the previous one ends.
        if (previous) expect(w.from.toString(), paid.toString()).toBe(previous.to.addDays(1).toString());
        previous = w;
      }
    });

    it(`N = ${days}: every sold date lands in the window of its own payout date`, () => {
      for (let sold = first; sold.compare(last) <= 0; sold = sold.addDays(1)) {
        const paid = calendar.payoutDate(sold, days);
        const w = calendar.payoutWindow(paid, days);
        expect(w && w.from.compare(sold) <= 0 && sold.compare(w.to) <= 0, sold.toString()).toBe(true);
      }
    });
  }
});
