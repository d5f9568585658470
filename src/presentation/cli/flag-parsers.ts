import { SettleError } from '../../domain/shared/settle-error.js';
import { LocalDate } from '../../domain/calendar/local-date.js';

/** Flag parsers that name the flag and what was expected, for commander's argParser or manual use. */
export const usage = (code: string, message: string) => new SettleError(code, message, { category: 'usage' });

export function intFlag(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw usage('INVALID_FLAG', `${flag} must be a whole number between ${min} and ${max}, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw usage('INVALID_FLAG', `${flag} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

export function dateFlag(flag: string): (value: string) => string {
  return (value) => LocalDate.parse(value, flag).toString();
}
