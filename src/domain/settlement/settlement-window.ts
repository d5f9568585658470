import { LocalDate } from '../calendar/local-date.js';
import { SettleError } from '../shared/settle-error.js';

export type DateType = 'soldDate' | 'paidOutDate';
export const DATE_TYPES: readonly DateType[] = ['soldDate', 'paidOutDate'];

/** The identifying parameters of a settlement job: an inclusive date range and which date it filters on. */
export interface SettlementWindow {
  readonly from: string;
  readonly to: string;
  readonly dateType: DateType;
}

export function settlementWindow(from: string, to: string, dateType: string = 'soldDate'): SettlementWindow {
  if (!(DATE_TYPES as readonly string[]).includes(dateType))
    throw new SettleError('INVALID_DATE_TYPE', `--date-type must be soldDate or paidOutDate, got "${dateType}"`);
  if (to < from) throw new SettleError('INVALID_WINDOW', `--to ${to} is before --from ${from}`);
  return { from, to, dateType: dateType as DateType };
}

export const windowLabel = (w: SettlementWindow): string => `${w.from}..${w.to} (${w.dateType})`;

/** Days the window spans, both ends included (2025-02-03..2025-02-03 is 1). */
export const windowDays = (w: SettlementWindow): number => LocalDate.parse(w.to, '--to').epochDay - LocalDate.parse(w.from, '--from').epochDay + 1;

/** The date of a row that the window's date type filters on. */
export const windowDateOf = (row: { readonly soldDate: string; readonly paidOutDate: string }, dateType: DateType): string =>
  dateType === 'paidOutDate' ? row.paidOutDate : row.soldDate;
