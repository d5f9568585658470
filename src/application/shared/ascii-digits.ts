/** The largest number the digit writers below take (they divide with int32 arithmetic). */
export const INT32_MAX = 0x7fffffff;

/**
 * 0 ≤ n < 10^len (n ≤ INT32_MAX) as exactly `len` ASCII digits, zero-padded, at `at`; returns the position after them.
 * Each digit by `(n / 10) | 0`: a double's `%` costs several times more, and the consumer writes a dozen numbers a
 * row this way (LOAD DATA text, approved_at_utc).
 */
export function writePaddedDigits(into: Uint8Array, at: number, n: number, len: number): number {
  for (let i = at + len - 1; i >= at; i--) {
    const q = (n / 10) | 0;
    into[i] = 0x30 + n - q * 10;
    n = q;
  }
  return at + len;
}

/** 0 ≤ n ≤ INT32_MAX as its ASCII digits (no padding) at `at`; returns the position after them. */
export function writeDigits(into: Uint8Array, at: number, n: number): number {
  let len = 1;
  for (let p = 10; p <= n; p *= 10) len++;
  return writePaddedDigits(into, at, n, len);
}
