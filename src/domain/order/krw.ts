/** Money is whole KRW in a JS number: exact while it stays a safe integer, so that is the check. */
export const isPositiveKrw = (value: number): boolean => Number.isSafeInteger(value) && value > 0;
