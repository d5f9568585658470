import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { calendarHorizonStatus, payoutWindowHorizon, warnIfPastHorizon } from '../../../src/composition/calendar-horizon.js';
import { BusinessCalendar } from '../../../src/domain/calendar/business-calendar.js';
import { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { KoreanHolidays } from '../../../src/infrastructure/calendar/korean-holidays.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';

const d = (text: string) => LocalDate.parse(text);
const calendar = new BusinessCalendar(new KoreanHolidays()); // built-in data: verified through 2026

/** A real (redacting) logger writing JSON lines into an array. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('info', { pretty: false, destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('payoutWindowHorizon (for settle produce)', () => {
  it('is inside the horizon for a 2026 payout', () => {
    const payout = d('2026-12-01');
    expect(payoutWindowHorizon(calendar, payout, calendar.payoutWindow(payout, 3))).toEqual({ verifiedThroughYear: 2026, pastHorizon: false, yearsPast: [] });
  });

  it('names 2027 for the first payout of 2027, whose window reaches back into 2026', () => {
    const payout = d('2027-01-05');
    const window = calendar.payoutWindow(payout, 3);
    expect(window?.from.year).toBe(2026);
    expect(payoutWindowHorizon(calendar, payout, window)).toEqual({ verifiedThroughYear: 2026, pastHorizon: true, yearsPast: [2027] });
  });

  it('counts the payout date alone on a non-business day (no window)', () => {
    expect(payoutWindowHorizon(calendar, d('2027-01-01'), null)).toMatchObject({ pastHorizon: true, yearsPast: [2027] });
    expect(payoutWindowHorizon(calendar, d('2026-12-25'), null)).toMatchObject({ pastHorizon: false, yearsPast: [] });
  });

  it('claims nothing when the holiday data states no horizon', () => {
    const plain = new BusinessCalendar({ isHoliday: () => false, holidayName: () => null });
    expect(payoutWindowHorizon(plain, d('2040-01-02'), null)).toEqual({ verifiedThroughYear: null, pastHorizon: false, yearsPast: [] });
    expect(calendarHorizonStatus(plain)).toBeNull();
  });
});

describe('warnIfPastHorizon', () => {
  it('logs one warn line naming the years and the fix, and says it did', () => {
    const { logger, lines } = capturingLogger();
    expect(warnIfPastHorizon(logger, { verifiedThroughYear: 2026, pastHorizon: true, yearsPast: [2027] })).toBe(true);
    logger.flush();
    const logged = lines();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, code: 'CALENDAR_PAST_HORIZON', verifiedThroughYear: 2026, yearsPast: [2027] });
    expect(logged[0]?.msg).toMatch(/reaches 2027, past the holiday data verified through 2026/);
    expect(logged[0]?.msg).toMatch(/config\/holidays\.json \(or the HOLIDAY_OVERRIDES_FILE\) with "verifiedThroughYear": 2027, and update the built-in data/);
  });

  it('logs nothing inside the horizon', () => {
    const { logger, lines } = capturingLogger();
    expect(warnIfPastHorizon(logger, { verifiedThroughYear: 2026, pastHorizon: false, yearsPast: [] })).toBe(false);
    logger.flush();
    expect(lines()).toEqual([]);
  });
});

describe('calendarHorizonStatus (for the gauge settle_calendar_horizon_days_remaining)', () => {
  it('counts days in Asia/Seoul', () => {
    // 14:59:59Z is still December 1 in Seoul (30 days to 2026-12-31); 15:00Z is December 2 there
    expect(calendarHorizonStatus(calendar, new Date('2026-12-01T14:59:59Z'))).toMatchObject({ verifiedThroughYear: 2026, daysRemaining: 30, warning: true });
    expect(calendarHorizonStatus(calendar, new Date('2026-12-01T15:00:00Z'))).toMatchObject({ daysRemaining: 29 });
    expect(calendarHorizonStatus(calendar, new Date('2027-01-10T00:00:00Z'))).toMatchObject({ daysRemaining: -10, pastHorizon: true });
  });
});
