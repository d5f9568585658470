import { describe, expect, it } from 'vitest';
import { outlineJsonArray } from '../../../src/infrastructure/toss/json-array-scan.js';

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
});
