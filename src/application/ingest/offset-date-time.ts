import { writePaddedDigits } from '../shared/ascii-digits.js';
/**
 * Epoch milliseconds of an ISO-8601 date-time that carries its own offset (Toss's approvedAt), or null when it
 * is not a real instant: `yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:mm)`. Strict where Date.parse is lenient (it rolls
 * 02-30 over to March) and never consults the machine's time zone. Fractions beyond milliseconds are truncated.
 * Runs once per consumed record (ingest-batch.ts hands the result to the store), so it reads char codes instead of a regex match (no allocation) and avoids
 * Date objects.
 */
export function parseOffsetDateTime(text: string): number | null {
  const n = text.length;
  if (
    n < 20 ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== T ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  )
    return null;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return null;
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === DOT) {
    const from = ++i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    const len = i - from;
    if (len < 1 || len > 9) return null;
    ms = digits(text, from, Math.min(3, len)) * (len === 1 ? 100 : len === 2 ? 10 : 1);
  }
  let offsetMin = 0;
  const sign = text.charCodeAt(i);
  if (sign === Z) {
    if (i + 1 !== n) return null;
  } else {
    if ((sign !== PLUS && sign !== MINUS) || i + 6 !== n || text.charCodeAt(i + 3) !== COLON) return null;
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 18 || om > 59) return null;
    offsetMin = (oh * 60 + om) * (sign === MINUS ? -1 : 1);
  }
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi - offsetMin) * 60_000 + s * 1000 + ms;
}

/** Bytes of utcDateTimeText: `yyyy-MM-dd HH:mm:ss.SSS`. */
const UTC_DATE_TIME_BYTES = 23;

/**
 * An instant as MySQL DATETIME(3) text in UTC, `yyyy-MM-dd HH:mm:ss.SSS` (years 0–9999), written as ASCII bytes into
 * `into` at `at` (UTC_DATE_TIME_BYTES of room needed); returns the position after it. The inverse of
 * parseOffsetDateTime's arithmetic, for the consumer's approved_at_utc column: no Date object, no string per row.
 */
export function writeUtcDateTime(into: Uint8Array, at: number, ms: number): number {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  const f = rest - s * 1000;
  // civil from days (Howard Hinnant's algorithm), the inverse of daysFromCivil
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  let o = writePaddedDigits(into, at, y, 4);
  into[o++] = DASH;
  o = writePaddedDigits(into, o, m, 2);
  into[o++] = DASH;
  o = writePaddedDigits(into, o, d, 2);
  into[o++] = SPACE;
  o = writePaddedDigits(into, o, h, 2);
  into[o++] = COLON;
  o = writePaddedDigits(into, o, mi, 2);
  into[o++] = COLON;
  o = writePaddedDigits(into, o, s, 2);
  into[o++] = DOT;
  return writePaddedDigits(into, o, f, 3);
}

const scratch = Buffer.alloc(UTC_DATE_TIME_BYTES);

/** writeUtcDateTime's text as a string (the consumer's general path, the upsert). */
export function utcDateTimeText(ms: number): string {
  writeUtcDateTime(scratch, 0, ms);
  return scratch.toString('latin1');
}

const DAY_MS = 86_400_000;

const DASH = 45;
const COLON = 58;
const DOT = 46;
const SPACE = 32;
const PLUS = 43;
const MINUS = 45;
const T = 84;
const Z = 90;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The decimal value of `len` ASCII digits at `from`, or -1 if any is not a digit. */
function digits(text: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (y: number, m: number): number => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : (MONTH_DAYS[m - 1] ?? 0));

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
