import type { Command } from 'commander';
import { calendarHorizonStatus } from '../../../composition/calendar-horizon.js';
import { BusinessCalendar } from '../../../domain/calendar/business-calendar.js';
import { HORIZON_WARNING_DAYS } from '../../../domain/calendar/calendar-horizon.js';
import { LocalDate, todayInSeoul } from '../../../domain/calendar/local-date.js';
import { SettleError } from '../../../domain/shared/settle-error.js';
import type { KoreanHolidays } from '../../../infrastructure/calendar/korean-holidays.js';
import type { CliContext } from '../cli-context.js';
import { globalOverrides } from '../global-options.js';

/** The same bounds as PAYOUT_DELAY_BUSINESS_DAYS in config.ts. */
const MAX_DAYS = 30;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
/** The longest single source name ("correction"), so the names line up. */
const SOURCE_WIDTH = 10;

interface DaysOption {
  readonly days?: string;
}

interface JsonOption {
  readonly json?: boolean;
}

/** `settle calendar …`: answers business-day questions offline, from the same holiday data the producer uses. */
export function registerCalendarCommand(program: Command, ctx: CliContext): void {
  const calendar = program
    .command('calendar')
    .description('Korean business days (weekends, holidays, config/holidays.json), payout dates, and how far ahead the holiday data is verified');

  const open = async (cmd: Command): Promise<{ calendar: BusinessCalendar; holidays: KoreanHolidays; defaultDays: number }> => {
    const config = ctx.config([], globalOverrides(cmd));
    const { createKoreanHolidays } = await import('../../../infrastructure/calendar/create-business-calendar.js');
    const holidays = await createKoreanHolidays({ overridesFile: config.calendar.overridesFile });
    return { calendar: new BusinessCalendar(holidays), holidays, defaultDays: config.calendar.payoutDelayBusinessDays };
  };

  calendar
    .command('is-business-day')
    .description('print true or false, then the reason on a second line when it is not a business day')
    .argument('<date>', 'YYYY-MM-DD')
    .action(async (dateText: string, _opts: unknown, cmd: Command) => {
      const date = LocalDate.parse(dateText, 'date');
      const { calendar: cal } = await open(cmd);
      ctx.out(String(cal.isBusinessDay(date)));
      const reason = cal.nonBusinessReason(date);
      if (reason !== null) ctx.out(reason);
    });

  calendar
    .command('payout-date')
    .description('the date a sale is paid out: sold date rolled forward to a business day, plus N business days')
    .argument('<soldDate>', 'YYYY-MM-DD')
    .option('--days <n>', 'business days until payout (default: env PAYOUT_DELAY_BUSINESS_DAYS, 3)')
    .action(async (soldText: string, opts: DaysOption, cmd: Command) => {
      const sold = LocalDate.parse(soldText, 'soldDate');
      const days = parseDays(opts.days);
      const { calendar: cal, defaultDays } = await open(cmd);
      ctx.out(cal.payoutDate(sold, days ?? defaultDays).toString());
    });

  calendar
    .command('payout-window')
    .description('the inclusive range of sold dates paid out on a date, as "<from> <to>", or "none" on a non-business day')
    .argument('<payoutDate>', 'YYYY-MM-DD')
    .option('--days <n>', 'business days until payout (default: env PAYOUT_DELAY_BUSINESS_DAYS, 3)')
    .action(async (payoutText: string, opts: DaysOption, cmd: Command) => {
      const payout = LocalDate.parse(payoutText, 'payoutDate');
      const days = parseDays(opts.days);
      const { calendar: cal, defaultDays } = await open(cmd);
      const window = cal.payoutWindow(payout, days ?? defaultDays);
      ctx.out(window ? `${window.from.toString()} ${window.to.toString()}` : 'none');
    });

  calendar
    .command('holidays')
    .description("list the weekdays of a year that are not business days, with each one's source (library, correction, statute, overrides) and name")
    .argument('<year>', 'YYYY')
    .option('--json', 'print { year, verified, days: [{ date, weekday, name, source, holidays: [{ name, source }] }] }')
    .action(async (yearText: string, opts: JsonOption, cmd: Command) => {
      if (!/^\d{4}$/.test(yearText) || Number(yearText) < 1900) throw new SettleError('INVALID_YEAR', `year "${yearText}" must be a four-digit year from 1900`);
      const year = Number(yearText);
      const { calendar: cal, holidays } = await open(cmd);
      const days: Array<{ date: string; weekday: string; name: string; source: string; holidays: ReadonlyArray<{ name: string; source: string }> }> = [];
      for (let date = LocalDate.of(year, 1, 1); date.year === year; date = date.addDays(1)) {
        if (date.isWeekend() || cal.isBusinessDay(date)) continue;
        const entries = holidays.entriesOn(date);
        // Several holidays on one day: their names as nonBusinessReason joins them, their distinct sources alike.
        const source = [...new Set(entries.map((e) => e.source))].join(',');
        days.push({ date: date.toString(), weekday: WEEKDAYS[date.dayOfWeek()], name: cal.nonBusinessReason(date) ?? '', source, holidays: entries });
      }
      const verified = year <= holidays.verifiedThroughYear();
      if (opts.json) ctx.out(JSON.stringify({ year, verified, verifiedThroughYear: holidays.verifiedThroughYear(), days }));
      else for (const day of days) ctx.out(`${day.date} ${day.weekday} ${day.source.padEnd(SOURCE_WIDTH)} ${day.name}`.trimEnd());
      if (!verified)
        ctx.err(
          `note: ${year} is past the holiday data's horizon (verified through ${holidays.verifiedThroughYear()}): its 임시공휴일 are not known (see \`settle calendar horizon\`)`,
        );
    });

  calendar
    .command('horizon')
    .description(
      `the last year the holiday data was verified for, its last day, the days left (Asia/Seoul) and whether it is within ${HORIZON_WARNING_DAYS} days`,
    )
    .option('--json', 'print { verifiedThroughYear, lastVerifiedDay, today, daysRemaining, warningDays, warning, pastHorizon }')
    .action(async (opts: JsonOption, cmd: Command) => {
      const { calendar: cal } = await open(cmd);
      const now = new Date();
      const horizon = calendarHorizonStatus(cal, now);
      if (horizon === null) throw new SettleError('CALENDAR_NO_HORIZON', 'the holiday data states no verified year');
      const { verifiedThroughYear: year, lastVerifiedDay, daysRemaining, warning, pastHorizon } = horizon;
      if (opts.json) {
        ctx.out(
          JSON.stringify({
            verifiedThroughYear: year,
            lastVerifiedDay,
            today: todayInSeoul(now),
            daysRemaining,
            warningDays: HORIZON_WARNING_DAYS,
            warning,
            pastHorizon,
          }),
        );
        return;
      }
      ctx.out(String(year));
      ctx.out(
        `last verified day ${lastVerifiedDay.toString()}: ${pastHorizon ? `${-daysRemaining} day(s) past it` : `${daysRemaining} day(s) left`} (today ${todayInSeoul(now).toString()}, Asia/Seoul)`,
      );
      if (warning)
        ctx.out(
          `warning: ${pastHorizon ? 'past the horizon' : `within ${HORIZON_WARNING_DAYS} days of the horizon`}: check ${year + 1}'s holidays against the government's published list (월력요항), add its 임시공휴일 to config/holidays.json (or HOLIDAY_OVERRIDES_FILE) with "verifiedThroughYear": ${year + 1}, and update the built-in data`,
        );
    });
}

function parseDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,2}$/.test(text) || Number(text) > MAX_DAYS)
    throw new SettleError('INVALID_DAYS', `--days "${text}" must be a whole number of business days from 0 to ${MAX_DAYS}`);
  return Number(text);
}
