const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const isJsonSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * A JSON array's outline, found without parsing it: where it opens and closes, how many elements it holds and the
 * top-level commas after every `perPart`-th element, where it can be cut into arrays of its own.
 */
export interface ArrayOutline {
  /** Index of the opening `[`. */
  readonly open: number;
  /** Index of the closing `]`. */
  readonly close: number;
  readonly count: number;
  /** Indexes of the commas that end each part but the last, in order. */
  readonly cuts: readonly number[];
  /** The `[`, every top-level comma and the `]`, in order: element i lies between bounds[i] and bounds[i + 1]. */
  readonly bounds: Uint32Array;
}

/**
 * The outline of the JSON array `body` holds, or null when it does not hold one whose brackets and strings close
 * (a body that is not an array, one cut short, text after the array): JSON.parse then says what is wrong. One pass
 * over the bytes (~1.3 ns a byte): strings are skipped with their escapes, brackets and braces counted. Elements are
 * not checked: a part that is not valid JSON fails when it is parsed. UTF-8 is safe to scan byte by byte: every
 * byte of a multi-byte character is ≥ 0x80, never one of the ASCII bytes looked for.
 */
export function outlineJsonArray(body: Uint8Array, perPart: number): ArrayOutline | null {
  const n = body.length;
  let i = 0;
  while (i < n && isJsonSpace(body[i])) i++;
  if (body[i] !== OPEN_BRACKET) return null;
  const open = i;
  let depth = 0;
  let close = -1;
  const separators: number[] = [open]; // the `[`, then each top-level comma
  const words = body.byteOffset % 4 === 0 ? new Int32Array(body.buffer, body.byteOffset, n >>> 2) : null;
  for (i = open + 1; i < n; i++) {
    const c = body[i] as number;
    if (c === QUOTE) i = stringEnd(body, words, i + 1, n);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) {
        if (c === CLOSE_BRACKET) close = i;
        break;
      }
      depth--;
    } else if (c === COMMA && depth === 0) separators.push(i);
  }
  if (close < 0) return null;
  for (let j = close + 1; j < n; j++) if (!isJsonSpace(body[j])) return null;
  let first = open + 1;
  while (first < close && isJsonSpace(body[first])) first++;
  const count = first === close ? 0 : separators.length;
  // the comma after every perPart-th element (the elements' own separators hold them)
  const cuts: number[] = [];
  for (let k = perPart; k < separators.length; k += perPart) cuts.push(separators[k] as number);
  separators.push(close);
  return { open, close, count, cuts, bounds: Uint32Array.from(separators) };
}

/**
 * The index of the quote that closes a string whose text begins at `i` (n when it does not close), escapes skipped.
 * Where `words` views the body 4-aligned, a word holding neither a quote nor a backslash is passed over whole (the
 * bit test for a zero byte in the word XOR the byte repeated: exact whether there is one, whatever the others are):
 * strings are most of a page's bytes, and this took the outline from ~1.57 to ~1.10 µs a row (`npm run bench:rows`).
 */
function stringEnd(body: Uint8Array, words: Int32Array | null, i: number, n: number): number {
  while (i < n) {
    if (words !== null && (i & 3) === 0 && i + 4 <= n) {
      const w = words[i >>> 2] as number;
      const q = w ^ 0x22222222;
      const b = w ^ 0x5c5c5c5c;
      if (((((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080) === 0) {
        i += 4;
        continue;
      }
    }
    const d = body[i];
    if (d === QUOTE) return i;
    i += d === BACKSLASH ? 2 : 1;
  }
  return n;
}

/**
 * The text of each part of the outline, in order, each a JSON array of its own: the comma before a part becomes its
 * `[` and the comma after it its `]`, written into `body` in place (the caller gives the body up to this; each part's
 * text is taken before the next part's bracket goes where the last one's was), so no part is copied before it is decoded.
 */
export function* partTexts(body: Buffer, outline: ArrayOutline): Generator<string> {
  let start = outline.open;
  for (const end of [...outline.cuts, outline.close]) {
    body[start] = OPEN_BRACKET;
    body[end] = CLOSE_BRACKET;
    yield body.toString('utf8', start, end + 1);
    start = end;
  }
}
