import { describe, expect, it } from 'vitest';
import { outlineJsonArray } from '../../../src/infrastructure/toss/json-array-scan.js';
import { generateSettlementRows, seededRandom } from '../../support/settlement-row-generator.js';

const outline = (text: string, perPart = 2) => outlineJsonArray(Buffer.from(text), perPart);

describe('outlineJsonArray', () => {
  it('counts the elements of an array and cuts it at the top-level comma after every perPart-th one', () => {
    const text = ' [{"a":[1,2],"b":{"c":","}}, 2 ,"x,y", [3,[4]], null]\n';
    const o = outline(text);
    expect(o).toMatchObject({ open: 1, close: text.lastIndexOf(']'), count: 5 });
    expect(o?.cuts.map((at) => text[at])).toEqual([',', ',']);
    // the parts, each made an array of its own, are the elements in order
    const bounds = [o?.open ?? 0, ...(o?.cuts ?? []), o?.close ?? 0];
    const parts = bounds.slice(1).map((end, i) => JSON.parse(`[${text.slice((bounds[i] as number) + 1, end)}]`) as unknown[]);
    expect(parts).toEqual([[{ a: [1, 2], b: { c: ',' } }, 2], ['x,y', [3, [4]]], [null]]);
  });

  it('skips strings with escaped quotes, backslashes and brackets, and multi-byte UTF-8', () => {
    const rows = ['a \\" ] , [ {', 'ends in a backslash \\\\', '카드, 간편결제 ] "', '😀'];
    const text = JSON.stringify(rows.map((note) => ({ note })));
    expect(outline(text, 1)).toMatchObject({ count: 4, cuts: expect.any(Array) as unknown });
    expect(outline(text, 1)?.cuts).toHaveLength(3);
  });

  it('counts an empty array, with or without spaces, as none', () => {
    expect(outline('[]')).toMatchObject({ count: 0, cuts: [] });
    expect(outline(' [ \n\t ] ')).toMatchObject({ count: 0, cuts: [] });
  });

  it.each([
    ['not an array', '{"a":1}'],
    ['nothing', '   '],
    ['cut short', '[{"a":1},{"b":'],
    ['cut short after a nested array', '[{"fees":[1]'],
    ['cut short inside a string', '[{"note":"]"'],
    ['text after the array', '[1,2] x'],
    ['a brace closing the array', '[1,2}'],
  ])('is null for %s (JSON.parse then says what is wrong)', (_case, text) => {
    expect(outline(text)).toBeNull();
  });

  /** The outline by one byte at a time, as it was written first: what the word-at-a-time string scan must agree with. */
  function byteByByte(body: Uint8Array, perPart: number): { close: number; count: number; cuts: number[]; bounds: number[] } | null {
    const space = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
    let i = 0;
    while (i < body.length && space(body[i])) i++;
    if (body[i] !== 0x5b) return null;
    const open = i;
    let depth = 0;
    let close = -1;
    const separators = [open];
    for (i = open + 1; i < body.length; i++) {
      const c = body[i];
      if (c === 0x22) {
        for (i++; i < body.length && body[i] !== 0x22; i++) if (body[i] === 0x5c) i++;
      } else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) {
          if (c === 0x5d) close = i;
          break;
        }
        depth--;
      } else if (c === 0x2c && depth === 0) separators.push(i);
    }
    if (close < 0) return null;
    for (let j = close + 1; j < body.length; j++) if (!space(body[j])) return null;
    let first = open + 1;
    while (first < close && space(body[first])) first++;
    const count = first === close ? 0 : separators.length;
    const cuts = separators.filter((_, k) => k > 0 && k % perPart === 0);
    return { close, count, cuts, bounds: [...separators, close] };
  }

  it('agrees with a byte-by-byte scan on pages and on random text, at every alignment of the body in memory', () => {
    const random = seededRandom(77);
    const page = JSON.stringify(generateSettlementRows({ count: 40, from: '2025-02-03' }).map((r, i) => (i % 5 ? r : { ...r, note: 'a\\"b\\\\' })));
    const alphabet = ['"', '\\', '[', ']', '{', '}', ',', ' ', 'a', 'bcd', '가', '\\"', '""', '"\\\\"'];
    const texts = [page, page.slice(0, -1), `${page} `, `${page} x`];
    for (let k = 0; k < 3_000; k++) {
      let t = '[';
      for (let m = Math.floor(random() * 40); m > 0; m--) t += alphabet[Math.floor(random() * alphabet.length)];
      texts.push(random() < 0.7 ? `${t}]` : t);
    }
    for (let k = 0; k < 300; k++) {
      const chars = [...page];
      chars[Math.floor(random() * chars.length)] = alphabet[Math.floor(random() * alphabet.length)] as string;
      texts.push(chars.join(''));
    }
    let outlined = 0;
    for (const text of texts)
      for (const shift of [0, 1, 2, 3]) {
        const bytes = Buffer.from(text);
        const body = new Uint8Array(bytes.length + shift).subarray(shift); // byteOffset 0 (words read) to 3 (bytes only)
        body.set(bytes);
        const want = byteByByte(body, 3);
        const got = outlineJsonArray(body, 3);
        expect(got === null ? null : { close: got.close, count: got.count, cuts: got.cuts, bounds: [...got.bounds] }, text).toEqual(want);
        if (got !== null) outlined += 1;
      }
    expect(outlined).toBeGreaterThan(1_000);
  });
});
