import { readFileSync } from 'node:fs';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';
import { encodePage } from '../../../src/infrastructure/kafka/encoded-page.js';
import { readSettlementSchema } from '../../../src/infrastructure/kafka/settlement-schema-file.js';
import { SettlementJsonAvro } from '../../../src/infrastructure/kafka/settlement-json-avro.js';
import { SettlementSerde } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { generateSettlementRows, seededRandom, type TossRow } from '../../support/settlement-row-generator.js';

const SCHEMA_ID = 0x01020304;
const type = avsc.Type.forSchema(JSON.parse(readSettlementSchema()) as avsc.Schema);
const fast = SettlementJsonAvro.forType(type);
const serde = SettlementSerde.withSchemaId(SCHEMA_ID);

/** What the general path makes of a row's text: JSON.parse, validateSettlement, PageEncoder. */
type General =
  { readonly taken: true; readonly bytes: Buffer; readonly valueAt: number; readonly transactionKey: string } | { readonly taken: false; readonly why: string };

function general(text: Buffer): General {
  let raw: unknown;
  try {
    raw = JSON.parse(text.toString('utf8'));
  } catch {
    return { taken: false, why: 'not JSON' };
  }
  const v = validateSettlement(raw);
  if (!v.ok) return { taken: false, why: `rejected at ${v.rejection.field}` };
  const { page, unfit } = encodePage(serde, [v.value]);
  if (unfit.length) return { taken: false, why: 'unfit' };
  return { taken: true, bytes: Buffer.from(page.bytes), valueAt: page.bounds[1] as number, transactionKey: v.value.transactionKey };
}

const PREFIX = Buffer.from('earlier rows');

/**
 * The fast path's result for the text placed inside a page (other bytes around it), written after other records:
 * null when it declined, else its key + value bytes. Asserts it touched nothing before its position.
 */
function viaFast(text: Buffer): { bytes: Buffer; valueAt: number; transactionKey: string } | null {
  const page = Buffer.concat([Buffer.from('[{"x":1},'), text, Buffer.from(',{"y":2}]')]);
  const start = 9;
  const out = Buffer.alloc(PREFIX.length + (fast as SettlementJsonAvro).roomFor(text.length));
  PREFIX.copy(out);
  const end = fast?.write(page, start, start + text.length, out, PREFIX.length, SCHEMA_ID) ?? -1;
  expect(out.subarray(0, PREFIX.length)).toEqual(PREFIX);
  if (end < 0) return null;
  return {
    bytes: out.subarray(PREFIX.length, end),
    valueAt: (fast as SettlementJsonAvro).valueAt - PREFIX.length,
    transactionKey: (fast as SettlementJsonAvro).transactionKey,
  };
}

/** The accelerator's promise for one text: when it takes the row, the general path takes it too, with the same bytes. Returns whether it took it. */
function agrees(text: Buffer): boolean {
  const f = viaFast(text);
  if (f === null) return false;
  const g = general(text);
  expect(g, `the general path refused a row the fast path took: ${text.toString()}`).toMatchObject({ taken: true });
  if (!g.taken) return true;
  expect(f.bytes.toString('hex')).toBe(g.bytes.toString('hex'));
  expect(f.valueAt).toBe(g.valueAt);
  expect(f.transactionKey).toBe(g.transactionKey);
  return true;
}

const day = (count: number, seed: number): TossRow[] =>
  generateSettlementRows({ count, from: '2025-02-03', seed, rowKeyPrefix: (i) => i.toString(16).padStart(8, '0') });
const json = (row: unknown): Buffer => Buffer.from(JSON.stringify(row));
const cardRow = (): TossRow => day(40, 3).find((r) => r.card !== null && r.cancel == null && Array.isArray(r.fees)) as TossRow;
const cancelRow = (): TossRow => day(400, 5).find((r) => r.cancel != null) as TossRow;

describe('SettlementJsonAvro: the producer writes a record straight from the JSON bytes Toss sent', () => {
  it('compiles the settlement schema (else every row takes the general path)', () => {
    expect(fast).not.toBeNull();
  });

  it('takes every row of generated days (cards with and without fees, easy pay, cancels) and writes the general path bytes', () => {
    for (const seed of [11, 12, 13]) {
      const rows = day(2_000, seed);
      expect(rows.some((r) => r.cancel != null)).toBe(true);
      for (const row of rows) expect(agrees(json(row))).toBe(true);
    }
  });

  it("takes Toss's documented examples (their members come in the schema's order)", () => {
    const examples = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as TossRow[];
    expect(examples.length).toBeGreaterThan(2);
    for (const row of examples) expect(agrees(json(row)), String(row.transactionKey)).toBe(true);
  });

  it('reads JSON whitespace anywhere, and members left out; declines members out of the schema order', () => {
    const row = cardRow();
    expect(agrees(Buffer.from(JSON.stringify(row, null, 2)))).toBe(true);
    expect(agrees(Buffer.from(`\r\n\t ${JSON.stringify(row, null, '\t')} \n`))).toBe(true);
    const reversed = Object.fromEntries(Object.entries(row).reverse());
    const card = row.card as TossRow;
    const cardReversed = { ...row, card: Object.fromEntries(Object.entries(card).reverse()) };
    for (const t of [json(reversed), json(cardReversed)]) {
      expect(viaFast(t)).toBeNull();
      expect(general(t)).toMatchObject({ taken: true });
    }
  });

  it('writes Korean text, 4-byte characters and long strings as their UTF-8 bytes', () => {
    const row = cardRow();
    row.card = { ...(row.card as TossRow), company: '현대카드 😀 𝄞', receiptUrl: `https://dashboard.tosspayments.com/receipt/${'가'.repeat(80)}` };
    row.method = '카드';
    expect(agrees(json(row))).toBe(true);
  });

  it('writes a nested member left out, or null, as null, as fitToAvro does', () => {
    const row = cardRow();
    const { acquirerCode: _a, interestPayer: _i, ...card } = row.card as TossRow;
    expect(agrees(json({ ...row, card: { ...card, company: null } }))).toBe(true);
    const { card: _c, fees: _f, fee: _fee, ...bare } = row;
    expect(agrees(json({ ...bare, payOutAmount: row.payOutAmount }))).toBe(true);
    expect(agrees(json({ ...row, fees: [] }))).toBe(true);
    expect(agrees(json({ ...row, fees: null, card: null, easyPay: null }))).toBe(true);
  });

  it('takes cancel rows, and numbers at the edges of what it reads', () => {
    expect(agrees(json(cancelRow()))).toBe(true);
    const row = cardRow();
    const big = 999_999_999_999_999;
    expect(agrees(json({ ...row, amount: big, fee: 0, fees: [], supplyAmount: 0, vat: 0, payOutAmount: big, interestFee: -big }))).toBe(true);
    expect(agrees(json({ ...row, card: { ...(row.card as TossRow), installmentPlanMonths: 2 ** 31 - 1, amount: 2 ** 40 } }))).toBe(true);
    expect(agrees(json({ ...row, card: { ...(row.card as TossRow), installmentPlanMonths: -(2 ** 31 - 1) } }))).toBe(true);
    for (const v of [0, 1, 63, 64, 127, 128, 8191, 8192, 2 ** 30 - 1, 2 ** 30, 2 ** 31, 2 ** 35 + 3])
      expect(agrees(json({ ...row, interestFee: v, card: { ...(row.card as TossRow), amount: -v } }))).toBe(true);
    const fees = Array.from({ length: 63 }, (_, i) => ({ type: i % 2 ? 'BASE' : 'INSTALLMENT', fee: i }));
    expect(agrees(json({ ...row, fees }))).toBe(true);
  });

  it("judges each row's fees alone: one writer, fee counts rising and falling, a bad fee type early or late", () => {
    const row = cardRow();
    const fee = (type: string, n: number) => ({ type, fee: n });
    const bad = 'X'.repeat(41); // a fee's type is at most 40 characters (validateSettlement)
    const rows: Array<[unknown[] | null, boolean]> = [
      [[fee('BASE', 1), fee('INSTALLMENT', 2), fee('BASE', 3)], true],
      [[fee('BASE', 1), fee('BASE', 2), fee(bad, 3)], false],
      [[fee('BASE', 1)], true], // the last row's third (bad) fee must not be judged again
      [[fee('BASE', 1), fee(bad, 2)], false],
      [[], true],
      [[fee(bad, 1)], false],
      [null, true],
      [[fee('BASE', 5), fee('INSTALLMENT', 6)], true],
    ];
    for (const [fees, taken] of rows) {
      const text = json({ ...row, fees });
      expect(agrees(text), JSON.stringify(fees)).toBe(taken);
      if (!taken) expect(general(text)).toEqual({ taken: false, why: 'rejected at type' }); // the general path refuses it too, for the fee
    }
  });

  it('declines what it does not read strictly, and the general path decides those rows', () => {
    const row = cardRow();
    const text = JSON.stringify(row);
    const declined: Array<[string, string]> = [
      ['an escape in a string', text.replace(`"${String(row.mId)}"`, `"${String(row.mId)}\\u0041"`)],
      ['an escaped quote in a nested string', JSON.stringify({ ...row, card: { ...(row.card as TossRow), company: 'a"b' } })],
      ['a lone surrogate', JSON.stringify({ ...row, card: { ...(row.card as TossRow), company: '\ud800' } })],
      ['an unknown top-level member', JSON.stringify({ ...row, cancels: [] })],
      ['an unknown nested member', JSON.stringify({ ...row, card: { ...(row.card as TossRow), newField: 1 } })],
      ['an unknown member of a fee', JSON.stringify({ ...row, fees: [{ type: 'BASE', fee: 1, extra: true }] })],
      ['our own unknownFields', JSON.stringify({ ...row, unknownFields: '{"x":1}' })],
      ['a repeated member', text.replace('{', `{"mId":"other",`)],
      ['a money amount as a digit string', JSON.stringify({ ...row, interestFee: '0' })],
      ['a fraction', text.replace(`"interestFee":${String(row.interestFee)}`, '"interestFee":0.0')],
      ['an exponent', text.replace(`"interestFee":${String(row.interestFee)}`, '"interestFee":0e0')],
      ['-0', text.replace(`"interestFee":${String(row.interestFee)}`, '"interestFee":-0')],
      ['16 digits', JSON.stringify({ ...row, interestFee: 1_000_000_000_000_000 })],
      ['64 fees', JSON.stringify({ ...row, fees: Array.from({ length: 64 }, () => ({ type: 'BASE', fee: 0 })) })],
    ];
    for (const [what, t] of declined) {
      expect(viaFast(Buffer.from(t)), what).toBeNull();
      expect(general(Buffer.from(t)), what).toMatchObject({ taken: true }); // each is a valid row: only the general path takes it
    }
  });

  it('declines rows the rules or the shape refuse, and text that is not a JSON object', () => {
    const row = cardRow();
    const text = JSON.stringify(row);
    const refused: Array<[string, string]> = [
      ['payOutAmount ≠ amount − fee', JSON.stringify({ ...row, payOutAmount: (row.payOutAmount as number) + 1 })],
      ['a required field missing', JSON.stringify({ ...row, mId: undefined })],
      ['a required field null', JSON.stringify({ ...row, orderId: null })],
      ['an empty required string', JSON.stringify({ ...row, currency: '' })],
      ['an unknown currency', JSON.stringify({ ...row, currency: 'EUR' })],
      ['a date that is not in the calendar', JSON.stringify({ ...row, soldDate: '2025-02-30' })],
      ['an int beyond int32', JSON.stringify({ ...row, card: { ...(row.card as TossRow), installmentPlanMonths: 2 ** 31 } })],
      ['the least int32', JSON.stringify({ ...row, card: { ...(row.card as TossRow), installmentPlanMonths: -(2 ** 31) } })],
      ['a nested required member missing', JSON.stringify({ ...row, card: { ...(row.card as TossRow), number: undefined } })],
      ['a boolean as a string', JSON.stringify({ ...row, card: { ...(row.card as TossRow), useCardPoint: 'false' } })],
      ['a cancel naming another transaction', JSON.stringify({ ...cancelRow(), cancel: { ...(cancelRow().cancel as TossRow), transactionKey: 'other' } })],
      ['a trailing comma', text.replace(/}$/, ',}')],
      ['a missing comma', text.replace('","', '" "')],
      ['a truncated row', text.slice(0, -5)],
      ['text after the object', `${text} x`],
      ['a misspelt literal', JSON.stringify({ ...row, card: null }).replace('"card":null', '"card":nul')],
      ['a raw tab in a string', text.replace(`"${String(row.mId)}"`, `"${String(row.mId)}\t"`)],
      ['an array', `[${text}]`],
      ['a string', '"row"'],
      ['nothing', '   '],
    ];
    for (const [what, t] of refused) {
      expect(viaFast(Buffer.from(t)), what).toBeNull();
      expect(general(Buffer.from(t)), what).toMatchObject({ taken: false });
    }
  });

  it('judges each row by its own text where a field repeats from row to row (the rules read a string made once)', () => {
    const row = cardRow();
    // each bad text differs from the good one in its last byte alone
    const lastByte = (text: unknown, last: string): string => `${String(text).slice(0, -1)}${last}`;
    for (const [field, bad] of [
      ['soldDate', lastByte(row.soldDate, 'x')],
      ['paidOutDate', lastByte(row.paidOutDate, 'x')],
      ['currency', lastByte(row.currency, 'X')],
      ['mId', ''],
    ] as const) {
      expect(agrees(json(row)), field).toBe(true);
      expect(viaFast(json({ ...row, [field]: bad })), `${field} ${bad}`).toBeNull();
      expect(general(json({ ...row, [field]: bad }))).toMatchObject({ taken: false });
      expect(agrees(json(row)), field).toBe(true);
    }
    const fees = [{ type: 'BASE', fee: 6_000 }];
    expect(agrees(json({ ...row, fees }))).toBe(true);
    expect(viaFast(json({ ...row, fees: [{ type: '', fee: 6_000 }] }))).toBeNull();
    expect(agrees(json({ ...row, fees: [{ type: 'X'.repeat(40), fee: 6_000 }] }))).toBe(true);
    expect(viaFast(json({ ...row, fees: [{ type: 'X'.repeat(41), fee: 6_000 }] }))).toBeNull(); // longer than the 32 bytes remembered
  });

  it('declines bytes that are not well-formed UTF-8 (the general path reads U+FFFD there)', () => {
    const row = cardRow();
    for (const bad of [[0xff], [0xc0, 0xaf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe3, 0x81], [0x80]]) {
      const [before, after] = JSON.stringify({ ...row, card: { ...(row.card as TossRow), company: '@@' } }).split('@@') as [string, string];
      const text = Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]);
      expect(viaFast(text), bad.join(',')).toBeNull();
      expect(general(text)).toMatchObject({ taken: true });
    }
  });

  it('keeps its promise on rows with bytes changed at random', () => {
    const random = seededRandom(2024);
    const rows = day(200, 21).map(json);
    const alphabet = Buffer.from('{}[]",:-.0123456789eE tfnul\\\t\n\x80\xc3\xa9xA');
    let taken = 0;
    for (let k = 0; k < 4_000; k++) {
      const text = Buffer.from(rows[k % rows.length] as Buffer);
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--)
        text[Math.floor(random() * text.length)] = alphabet[Math.floor(random() * alphabet.length)] as number;
      if (agrees(text)) taken += 1;
    }
    // most single changes land in a value and leave a valid row; the fast path takes a share of those
    expect(taken).toBeGreaterThan(100); // 229 with this seed
  });
});
