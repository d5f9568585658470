import type { Command } from 'commander';
import type { BusinessCalendar } from '../../../domain/calendar/business-calendar.js';
import { LocalDate } from '../../../domain/calendar/local-date.js';
import { SettleError } from '../../../domain/shared/settle-error.js';
import { createBusinessCalendar } from '../../../infrastructure/calendar/create-business-calendar.js';
import type { CliContext } from '../cli-context.js';
import { globalOverrides } from '../global-options.js';

/** The same bounds as PAYOUT_DELAY_BUSINESS_DAYS in config.ts. */
const MAX_DAYS = 30;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

interface DaysOption {
  readonly days?: string;
}

/** `settle calendar …`: answers business-day questions offline, from the same holiday data the producer uses. */
export function registerCalendarCommand(program: Command, ctx: CliContext): void {
  const calendar = program
    .command('calendar')
    .description('Korean business days (weekends, holidays, config/holidays.json) and payout dates');

  const open = async (cmd: Command): Promise<{ calendar: BusinessCalendar; defaultDays: number }> => {
    const config = ctx.config([], globalOverrides(cmd));
    return { calendar: await createBusinessCalendar({ overridesFile: config.calendar.overridesFile }), defaultDays: config.calendar.payoutDelayBusinessDays };
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
    .description('list the weekdays of a year that are not business days, with their names')
    .argument('<year>', 'YYYY')
    .action(async (yearText: string, _opts: unknown, cmd: Command) => {
      if (!/^\d{4}$/.test(yearText) || Number(yearText) < 1900)
        throw new SettleError('INVALID_YEAR', `year "${yearText}" must be a four-digit year from 1900`, { category: 'usage' });
      const year = Number(yearText);
      const { calendar: cal } = await open(cmd);
      for (let date = LocalDate.of(year, 1, 1); date.year === year; date = date.addDays(1))
        if (!date.isWeekend() && !cal.isBusinessDay(date)) ctx.out(`${date.toString()} ${WEEKDAYS[date.dayOfWeek()]} ${cal.nonBusinessReason(date) ?? ''}`.trimEnd());
    });
}

function parseDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,2}$/.test(text) || Number(text) > MAX_DAYS)
    throw new SettleError('INVALID_DAYS', `--days "${text}" must be a whole number of business days from 0 to ${MAX_DAYS}`, { category: 'usage' });
  return Number(text);
}
