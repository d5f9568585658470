const INT32_MAX = 0x7fffffff;

/**
 * 0 ≤ n < 10^len (n ≤ 2^31 − 1) as exactly `len` ASCII digits, zero-padded, at `at`; returns the position after them.
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

/**
 * A safe integer 0 ≤ n ≤ 2^53 − 1 as its ASCII digits (no padding) at `at`; returns the position after them. Beyond
 * 2^31 − 1 (a 13-digit timestamp, say) it is written as two int32 halves: n / 10^9, then the rest as nine digits.
 */
export function writeDigits(into: Uint8Array, at: number, n: number): number {
  if (n > INT32_MAX) {
    const high = Math.floor(n / 1e9); // < 2^53 / 10^9, an int32
    return writePaddedDigits(into, writeDigits(into, at, high), n - high * 1e9, 9);
  }
  let len = 1;
  for (let p = 10; p <= n; p *= 10) len++;
  return writePaddedDigits(into, at, n, len);
}
