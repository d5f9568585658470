import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { readSettlementSchema, SettlementSerde } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { zigZagVarint } from '../../support/avro-bytes.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';

/**
 * patches/avsc+5.7.9.patch (patches/README.md) writes a short ASCII string in one pass instead of asking
 * Buffer.byteLength first. It must not change a byte: every string is checked against Avro's definition (zigzag
 * varint of the UTF-8 length, then the UTF-8 bytes), on both sides of the fast path's limits (63/64 units, ASCII
 * 0x7f/0x80, a buffer that ends inside the string), and a tap too small must still report overflow. (A lone
 * surrogate is not in the list: it is not ASCII, so it takes avsc's own path, which writes it as three bytes where
 * Buffer.from writes U+FFFD; unchanged by the patch.)
 */
const require = createRequire(import.meta.url);
interface TapLike {
  pos: number;
  writeString(s: string): void;
  isValid(): boolean;
}
const { Tap } = require('avsc/lib/utils.js') as { Tap: new (buf: Buffer, pos?: number) => TapLike };

/** Avro's long: zigzag, then 7 bits per byte, low first. */
function avroLong(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
  return Buffer.from(out);
}
const avroString = (s: string): Buffer => {
  const utf8 = Buffer.from(s, 'utf8');
  return Buffer.concat([avroLong(utf8.length), utf8]);
};

const strings = [
  '',
  'a',
  '\x7f'.repeat(5),
  'x'.repeat(62),
  'x'.repeat(63),
  'x'.repeat(64),
  'y'.repeat(65),
  'z'.repeat(300),
  '\x80',
  'abc\x80',
  '카드',
  `${'k'.repeat(60)}카`,
  'emoji 😀',
  '2025-02-03T05:02:09+09:00',
  // short text that is not all ASCII, written without Buffer.byteLength when under 64 bytes
  'é',
  'aé카😀b',
  `${'k'.repeat(60)}카`, // 63 bytes: written by the patch
  `${'k'.repeat(61)}카`, // 64 bytes: avsc's own path
  `${'k'.repeat(59)}😀`, // 63 bytes
  `${'k'.repeat(60)}😀`, // 64 bytes
  '현대 "카드" \\ \n\t\u0000 끝',
  '\u07ff\u0800\uffff',
];

/** avsc's own loop for a short string: a lone surrogate is written as its three-byte form (Buffer.from writes U+FFFD). */
function avscShortString(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push((c >> 6) | 0xc0, (c & 0x3f) | 0x80);
    else if ((c & 0xfc00) === 0xd800 && (next & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x03ff) << 10) + (next & 0x03ff);
      i++;
      out.push((c >> 18) | 0xf0, ((c >> 12) & 0x3f) | 0x80, ((c >> 6) & 0x3f) | 0x80, (c & 0x3f) | 0x80);
    } else out.push((c >> 12) | 0xe0, ((c >> 6) & 0x3f) | 0x80, (c & 0x3f) | 0x80);
  }
  return Buffer.concat([avroLong(out.length), Buffer.from(out)]);
}

describe('avsc patch: short ASCII strings in one pass', () => {
  it('is applied to the installed avsc', () => {
    expect(readFileSync(require.resolve('avsc/lib/utils.js'), 'utf8')).toContain('settle patch');
  });

  it.each(strings.map((s) => [JSON.stringify(s).slice(0, 40), s]))('writes %s as Avro defines it', (_, s) => {
    const type = avsc.Type.forSchema('string');
    expect(type.toBuffer(s).equals(avroString(s))).toBe(true);
    expect(type.fromBuffer(type.toBuffer(s))).toBe(s);
  });

  it('writes a short string with lone surrogates as avsc always did (three bytes each, not U+FFFD)', () => {
    const type = avsc.Type.forSchema('string');
    for (const s of ['\ud800', 'a\udc00b', '카\ud83d', '\ud83d\ud83d\ude00', `${'k'.repeat(50)}\udfff`]) {
      expect(type.toBuffer(s).equals(avscShortString(s)), JSON.stringify(s)).toBe(true);
    }
  });

  it('writes at any position, and reports overflow when the buffer ends inside the string', () => {
    for (const s of ['abc', 'x'.repeat(63), '카드', 'aé카😀b', `${'k'.repeat(60)}카`]) {
      const expected = avroString(s);
      const fits = new Tap(Buffer.alloc(7 + expected.length, 0xee), 7);
      fits.writeString(s);
      expect(fits.isValid()).toBe(true);
      expect(fits.pos).toBe(7 + expected.length);
      for (const short of [expected.length - 1, 1, 0]) {
        const tap = new Tap(Buffer.alloc(short));
        tap.writeString(s);
        expect(tap.isValid()).toBe(false);
      }
    }
  });

  it('encodes settlements that read back equal, also when a row outgrows the first buffer', () => {
    const serde = SettlementSerde.withSchemaId(1);
    const reader = avsc.Type.forSchema(JSON.parse(readSettlementSchema()) as avsc.Schema);
    const rows = [
      syntheticSettlement(0, 'avsc'),
      syntheticSettlement(9, 'avsc'),
      { ...syntheticSettlement(1, 'avsc'), unknownFields: JSON.stringify({ memo: 'm'.repeat(5_000) }) },
    ];
    const encoded = serde.encodeBatch(rows);
    encoded.forEach((value, i) => {
      if (!Buffer.isBuffer(value)) throw new Error(`row ${i} did not encode`);
      expect({ ...(reader.fromBuffer(value.subarray(5)) as object) }).toEqual(rows[i]);
    });
  });
});

/**
 * The patch's read side: an array or map count beyond the bytes left (a corrupt record) ends the read and the value is
 * refused as truncated, where avsc preallocated `new Array(count)` and looped count times (a record claiming 2^31 fees
 * ran the consumer out of memory). Whole values read as before.
 */
describe('avsc patch: array and map counts beyond the bytes left', () => {
  const fee: avsc.Schema = {
    type: 'record',
    name: 'Fee',
    fields: [
      { name: 'type', type: 'string' },
      { name: 'fee', type: 'long' },
    ],
  };
  const withFees = avsc.Type.forSchema({
    type: 'record',
    name: 'R',
    fields: [
      { name: 'fees', type: { type: 'array', items: fee } },
      { name: 'n', type: 'long' },
    ],
  });
  const withMap = avsc.Type.forSchema({
    type: 'record',
    name: 'M',
    fields: [
      { name: 'm', type: { type: 'map', values: 'long' } },
      { name: 'n', type: 'long' },
    ],
  });
  const withoutFees = avsc.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }] });
  const withoutMap = avsc.Type.forSchema({ type: 'record', name: 'M', fields: [{ name: 'n', type: 'long' }] });

  it('refuses a count of 2^31 or 2^40 items as truncated, read or skipped, without running out of memory', () => {
    for (const count of [2n ** 31n, 2n ** 40n, -(2n ** 31n)]) {
      // a negative count is followed by its block's byte size
      const body = Buffer.concat([zigZagVarint(count), ...(count < 0n ? [zigZagVarint(5n)] : []), Buffer.from([0x02, 0x41, 0x04])]);
      expect(() => withFees.fromBuffer(body)).toThrow(/truncated/);
      expect(() => withMap.fromBuffer(body)).toThrow(/truncated/);
      if (count > 0n) {
        expect(() => withoutFees.fromBuffer(body, withoutFees.createResolver(withFees))).toThrow(/truncated/);
        expect(() => withoutMap.fromBuffer(body, withoutMap.createResolver(withMap))).toThrow(/truncated/);
      }
    }
  });

  it('reads and skips whole arrays and maps as before: empty, one item, many, and in blocks with byte sizes', () => {
    for (const size of [0, 1, 3, 1000]) {
      const fees = Array.from({ length: size }, (_, i) => ({ type: `T${i}`, fee: i * 1000 - 7 }));
      const m = Object.fromEntries(fees.map((f) => [f.type, f.fee]));
      expect(withFees.fromBuffer(withFees.toBuffer({ fees, n: 42 }))).toEqual({ fees, n: 42 });
      expect(withMap.fromBuffer(withMap.toBuffer({ m, n: 42 }))).toEqual({ m, n: 42 });
      expect(withoutFees.fromBuffer(withFees.toBuffer({ fees, n: 42 }), withoutFees.createResolver(withFees))).toEqual({ n: 42 });
      expect(withoutMap.fromBuffer(withMap.toBuffer({ m, n: 42 }), withoutMap.createResolver(withMap))).toEqual({ n: 42 });
    }
    // two blocks, the first with a negative count and its byte size (as other writers may write them)
    const item = (t: string, f: bigint) => Buffer.concat([zigZagVarint(BigInt(t.length)), Buffer.from(t), zigZagVarint(f)]);
    const first = Buffer.concat([item('A', 1n), item('B', 2n)]);
    const blocks = Buffer.concat([
      zigZagVarint(-2n),
      zigZagVarint(BigInt(first.length)),
      first,
      zigZagVarint(1n),
      item('C', 3n),
      zigZagVarint(0n),
      zigZagVarint(9n),
    ]);
    expect(withFees.fromBuffer(blocks)).toEqual({
      fees: [
        { type: 'A', fee: 1 },
        { type: 'B', fee: 2 },
        { type: 'C', fee: 3 },
      ],
      n: 9,
    });
    expect(withoutFees.fromBuffer(blocks, withoutFees.createResolver(withFees))).toEqual({ n: 9 });
  });
});
