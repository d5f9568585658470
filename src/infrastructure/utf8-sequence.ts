/**
 * The length of the well-formed UTF-8 sequence starting at `i` (a byte ≥ 0x80) and ending before `to`, per the Unicode
 * standard's table of well-formed byte sequences (no overlongs, no surrogates, nothing past U+10FFFF, nothing cut
 * short); 0 when it is not one. The fast paths that copy text as bytes (settlement-avro-rows.ts,
 * settlement-json-avro.ts) decline such bytes: the general path decodes them as the decoder does (U+FFFD for each).
 */
export function utf8SequenceLength(v: Uint8Array, i: number, to: number): number {
  const b = v[i] as number;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) n = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    n = 3;
    if (b === 0xe0) lo = 0xa0;
    else if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4;
    if (b === 0xf0) lo = 0x90;
    else if (b === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + n > to) return 0;
  const second = v[i + 1] as number;
  if (second < lo || second > hi) return 0;
  for (let k = 2; k < n; k++) {
    const c = v[i + k] as number;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return n;
}
