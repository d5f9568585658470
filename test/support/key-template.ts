/**
 * Realistic, unique keys from one page template. The template is generated once with a placeholder at the
 * start of every row's keys, `PG` + the row's index in the page (6 digits, 8 characters); serving page p
 * copies the template and overwrites each placeholder with 8 hex digits of a 32-bit bijection of
 * (salt, p, row). Keys then begin with a random-looking part that differs on every row of every page (index
 * inserts land all over the B-tree, as with Toss's real keys), stay unique (a bijection of distinct inputs),
 * and memory stays at one page whatever the row count. `PG` cannot occur in hex, so patched text is never
 * mistaken for a placeholder.
 */
export const PLACEHOLDER_PREFIX = 'PG';
const DIGITS = 6;
/** Rows per page the (page, row) packing allows: more than Toss's 5,000 maximum. */
export const MAX_PAGE_ROWS = 8192;
/** Pages a salt's range holds (salts sit above it, so different salts never produce the same key). */
export const MAX_PAGES = 8192;
export const SALTS = 64;

/** The placeholder the generator puts in front of row j's keys. */
export const placeholder = (row: number): string => `${PLACEHOLDER_PREFIX}${String(row).padStart(DIGITS, '0')}`;

/** murmur3's finalizer: a bijection on 32-bit integers that spreads every input bit. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The 8 hex digits replacing row `row`'s placeholder on page `page` (1-based) for `salt` (0..63). */
export function rowTag(salt: number, page: number, row: number): string {
  return fmix32(packedTag(salt, page, row))
    .toString(16)
    .toUpperCase()
    .padStart(8, '0');
}

/** (salt, page, row) packed into one integer below 2^32, the input of the tag's bijection; a RangeError out of range. */
function packedTag(salt: number, page: number, row: number): number {
  if (page < 1 || page > MAX_PAGES || row < 0 || row >= MAX_PAGE_ROWS || salt < 0 || salt >= SALTS)
    throw new RangeError(`key tag out of range: salt ${salt}, page ${page}, row ${row}`);
  return salt * MAX_PAGES * MAX_PAGE_ROWS + (page - 1) * MAX_PAGE_ROWS + row;
}

export interface KeyTemplate {
  readonly body: Buffer;
  /** Byte offset of each placeholder and the page row it stands for. */
  readonly offsets: Int32Array;
  readonly rows: Int32Array;
}

/** Finds every placeholder in `text` (JSON of a page, a TSV of its rows, ...). */
export function keyTemplate(text: string): KeyTemplate {
  const body = Buffer.from(text);
  const offsets: number[] = [];
  const rows: number[] = [];
  const width = PLACEHOLDER_PREFIX.length + DIGITS;
  for (let at = body.indexOf(PLACEHOLDER_PREFIX); at !== -1; at = body.indexOf(PLACEHOLDER_PREFIX, at + 1)) {
    const digits = body.toString('latin1', at + PLACEHOLDER_PREFIX.length, at + width);
    if (!/^\d{6}$/.test(digits)) continue;
    offsets.push(at);
    rows.push(Number(digits));
    at += width - 1;
  }
  return { body, offsets: Int32Array.from(offsets), rows: Int32Array.from(rows) };
}

const HEX_UPPER = Buffer.from('0123456789ABCDEF');

/**
 * A copy of the template with page `page`'s keys: the bytes of `rowTag(salt, page, row)` written straight into the
 * copy, or into `into` when it has the template's length (a page the fake has finished sending). The fake serves every
 * page of a bench run through this, on the cores it measures settle on: a fresh multi-megabyte buffer per page cost
 * 1.4 s of a 500,000-row run in page faults and collections, and a string per key another 0.6 s.
 */
export function patchPage(t: KeyTemplate, salt: number, page: number, into?: Buffer): Buffer {
  const out = into?.length === t.body.length ? into : Buffer.allocUnsafe(t.body.length);
  t.body.copy(out);
  for (let k = 0; k < t.offsets.length; k++) {
    let h = fmix32(packedTag(salt, page, t.rows[k] ?? 0));
    const at = t.offsets[k] ?? 0;
    for (let d = 7; d >= 0; d--, h >>>= 4) out[at + d] = HEX_UPPER[h & 15] ?? 0;
  }
  return out;
}

/** One key of the template (a string starting with a placeholder, or containing one) as page `page` has it. */
export function patchKey(key: string, salt: number, page: number): string {
  const at = key.indexOf(PLACEHOLDER_PREFIX);
  if (at === -1) return key;
  const width = PLACEHOLDER_PREFIX.length + DIGITS;
  return key.slice(0, at) + rowTag(salt, page, Number(key.slice(at + PLACEHOLDER_PREFIX.length, at + width))) + key.slice(at + width);
}
