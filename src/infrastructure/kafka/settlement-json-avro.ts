import type { Type } from 'avsc';
import type { SettlementRuleFields } from '../../domain/settlement/settlement.js';
import { FEE, NESTED_SHAPES, TOP_LEVEL_FIELDS, UNKNOWN_FIELDS, type ObjectShape } from '../../domain/settlement/settlement-shape.js';
import { validateTypedSettlement } from '../../domain/settlement/validate-settlement.js';
import { utf8SequenceLength } from '../utf8-sequence.js';
import { RepeatedText, REPEATING_TEXT_FIELDS } from '../repeated-text.js';

/**
 * The producer's fast path from Toss to Kafka: a settlement row's Avro record written straight from the JSON bytes
 * Toss sent, with no JSON.parse, no objects per member and no string per field beyond the dozen the rules read.
 *
 * It is an accelerator, never a second definition. JSON.parse + validateSettlement + PageEncoder.add say what a row
 * becomes; this writes the same record bytes (and the same Kafka key) for the rows it takes, and a unit test compares
 * the two over generated days and hand-made edge cases. Whenever it cannot promise the general path's result it
 * writes nothing and declines, and the caller takes the general path for that row, which then says what is wrong:
 * - the text is not in the strict form read here: a member name or string with an escape or a control character,
 *   bytes that are not well-formed UTF-8 (JSON.parse's text would hold U+FFFD there), a number with a fraction, an
 *   exponent, a leading zero, `-0` or more than 15 digits, a `fees` array of more than 63 items, anything that is not
 *   JSON at all;
 * - members not in the schema's order (Toss sends them in the order its documentation lists, which the schema
 *   follows), or a member given twice (JSON.parse keeps the last); members may be left out;
 * - a member the shape does not know (the general path keeps it in `unknownFields`), or our own `unknownFields`;
 * - a value not of its field's kind (a money amount sent as a digit string, say), a required field missing or null;
 * - a row validateTypedSettlement rejects (the general path makes the rejection, its text and its raw row).
 *
 * One pass over the text, writing as it reads: members in the schema's order are what lets the record be written as
 * the text is read (a member Toss left out is written as null where it would stand, as fitToAvro does). What it
 * writes is Avro's binary encoding, as avsc writes it: zig-zag varints, a string's length then its UTF-8 bytes (the
 * JSON string's own bytes: no escapes means they are the same), the `[null, X]` union's branch index, an array as one
 * block and a 0. Writing Avro by hand is deliberate and small, as in the consumer's settlement-avro-rows.ts: avsc has
 * no API that writes one format from another's bytes.
 */
export class SettlementJsonAvro {
  readonly #top: RecordNode;
  readonly #rules: MutableRuleFields;
  readonly #fees: FeeList;
  readonly #key: { from: number; to: number };
  /** The last row's key length: the body is written that far past the row's start, and moved only when the key differs. */
  #keyGuess = 36;

  /** Set by a `write` that took its row: where the value (Confluent header, Avro body) begins, after the key. */
  valueAt = 0;
  /** Set by a `write` that took its row: the row's transactionKey. */
  transactionKey = '';

  private constructor(top: RecordNode, rules: MutableRuleFields, fees: FeeList, key: { from: number; to: number }) {
    this.#top = top;
    this.#rules = rules;
    this.#fees = fees;
    this.#key = key;
  }

  /**
   * The fast path for an Avro type (the serde's), or null when the type holds something this writer does not write
   * (a double, an enum, a map, bytes, a union other than `[null, X]`) or its fields are not those of the settlement
   * shape: every row then takes the general path.
   */
  static forType(type: Type): SettlementJsonAvro | null {
    // the rule fields of the row being written, and where its paymentKey stands: the compiled fields' captures fill them in
    const rules = newRuleFields();
    const fees = new FeeList();
    const key = { from: 0, to: 0 };
    try {
      const top = compile(type, captures(rules, fees, {}, key));
      return top.kind === 'record' && matchesShape(top) ? new SettlementJsonAvro(top, rules, fees, key) : null;
    } catch (error) {
      if (error instanceof Unsupported) return null;
      throw error;
    }
  }

  /** Bytes `write` may need past `pos` for a row of `jsonBytes` bytes of text. */
  roomFor(jsonBytes: number): number {
    // never more than twice the text (key and value), the nulls of members left out, the key's guessed place
    return 2 * jsonBytes + 512 + this.#keyGuess;
  }

  /**
   * Writes the row in json[start, end) (its text between the page's separators, spaces included) into `out` at
   * `pos`: the Kafka key (paymentKey's bytes), then the value (magic 0, `schemaId` big-endian, the Avro body).
   * Returns the end of the value, with `valueAt` and `transactionKey` set; or -1 when it declines (nothing it wrote
   * counts). The caller leaves `roomFor(end - start)` bytes free after `pos`.
   */
  write(json: Buffer, start: number, end: number, out: Buffer, pos: number, schemaId: number): number {
    const guess = this.#keyGuess;
    const bodyAt = pos + guess + 5;
    try {
      writing.out = out;
      writing.pos = bodyAt;
      this.#fees.start();
      const i = skipSpace(json, start, end);
      if (json[i] !== OPEN_BRACE || skipSpace(json, writeRecord(this.#top, json, i, end), end) !== end) return -1;
      this.#fees.finish();
      const rules = this.#rules;
      if (!validateTypedSettlement(rules).ok) return -1;
      // the key (paymentKey's bytes as they stand in the text) before the value: the body moves if the guess was wrong
      const { from, to } = this.#key;
      const keyLength = to - from;
      let bodyEnd = writing.pos;
      if (keyLength !== guess) {
        out.copyWithin(pos + keyLength + 5, bodyAt, bodyEnd);
        bodyEnd += keyLength - guess;
        this.#keyGuess = keyLength;
      }
      for (let k = 0; k < keyLength; k++) out[pos + k] = json[from + k] as number;
      const valueAt = pos + keyLength;
      out[valueAt] = 0;
      out[valueAt + 1] = schemaId >>> 24;
      out[valueAt + 2] = (schemaId >>> 16) & 0xff;
      out[valueAt + 3] = (schemaId >>> 8) & 0xff;
      out[valueAt + 4] = schemaId & 0xff;
      this.valueAt = valueAt;
      this.transactionKey = rules.transactionKey;
      return bodyEnd;
    } catch (error) {
      if (error === BAIL) return -1;
      throw error;
    } finally {
      writing.out = EMPTY;
    }
  }
}

type MutableRuleFields = { -readonly [K in keyof SettlementRuleFields]: SettlementRuleFields[K] };

const newRuleFields = (): MutableRuleFields => ({
  mId: '',
  paymentKey: '',
  transactionKey: '',
  orderId: '',
  currency: '',
  method: '',
  amount: 0,
  fees: null,
  fee: null,
  supplyAmount: 0,
  vat: 0,
  payOutAmount: 0,
  approvedAt: '',
  soldDate: '',
  paidOutDate: '',
  cancel: null,
  unknownFields: null,
});

// ---- the compiled schema ----------------------------------------------------------------------------------------

/** What a capture receives for a record or an array that is present (before its contents are written). */
const PRESENT: unique symbol = Symbol('present');
type Captured = string | number | null | typeof PRESENT;
type Capture = Capturing | null;

/**
 * Where a field the rules read goes (`take`). For a field whose text repeats row after row on a page (the merchant,
 * the currency, the method, the dates, a fee's type), a string is made only when its bytes differ from the last one
 * taken: the rules read the same string, and the row is spared the allocation.
 */
class Capturing {
  readonly #repeated: RepeatedText | null;

  constructor(
    readonly take: (value: Captured) => void,
    repeats: boolean,
  ) {
    this.#repeated = repeats ? new RepeatedText() : null;
  }

  /** Takes the string in b[from, to) (`ascii`: all its bytes are below 0x80). */
  string(b: Buffer, from: number, to: number, ascii: boolean): void {
    const repeated = this.#repeated;
    this.take(repeated === null ? b.toString(ascii ? 'latin1' : 'utf8', from, to) : repeated.text(b, from, to, ascii));
  }
}

type Node =
  | { readonly kind: 'string' | 'long' | 'int' | 'boolean' }
  | { readonly kind: 'nullable'; readonly inner: Node }
  | { readonly kind: 'array'; readonly items: Node }
  | RecordNode;

interface RecordNode {
  readonly kind: 'record';
  readonly fields: readonly Field[];
  /** Field indexes by the byte length of their name (members not in the text excluded). */
  readonly byLength: ReadonlyArray<readonly number[] | undefined>;
}

interface Field {
  readonly name: string;
  readonly nameBytes: Uint8Array;
  readonly node: Node;
  /** Set for a field the rules read: receives its value (a string, a number, null, or PRESENT for a record or array). */
  readonly capture: Capture;
  /** A member of the text (not our own unknownFields, which Toss never sends and is written as null). */
  readonly member: boolean;
}

class Unsupported extends Error {}
const BAIL: unique symbol = Symbol('decline');

/**
 * A row's fees as the rules read them (`items`, each `{ type }`), in one array and objects kept from row to row: a
 * fresh array and an object per fee were ~170 bytes of young garbage a row (a sampling heap profile of the producer).
 */
class FeeList {
  readonly items: Array<{ type: string }> = [];
  readonly #objects: Array<{ type: string }> = [];
  #count = 0;

  start(): void {
    this.#count = 0;
  }

  add(type: string): void {
    const k = this.#count++;
    const fee = (this.#objects[k] ??= { type: '' });
    fee.type = type;
    this.items[k] = fee;
  }

  /** The items are this row's: the array cut to the fees added since `start`. */
  finish(): void {
    if (this.items.length !== this.#count) this.items.length = this.#count;
  }
}

/** Where each captured value goes, by its path in the record. */
function captures(
  rules: MutableRuleFields,
  fees: FeeList,
  cancel: { transactionKey?: string },
  key: { from: number; to: number },
): ReadonlyMap<string, Capture> {
  const top = (name: keyof MutableRuleFields): [string, (value: Captured) => void] => [
    name,
    (v) => {
      (rules as Record<string, unknown>)[name] = v;
    },
  ];
  const takes = new Map<string, (value: Captured) => void>([
    [
      'paymentKey',
      (v) => {
        rules.paymentKey = v as string;
        key.from = stringFrom;
        key.to = stringTo;
      },
    ],
    ...(['mId', 'transactionKey', 'orderId', 'currency', 'method', 'amount', 'fee', 'supplyAmount', 'vat', 'payOutAmount'] as const).map(top),
    ...(['approvedAt', 'soldDate', 'paidOutDate'] as const).map(top),
    ['fees', (v) => (rules.fees = v === PRESENT ? fees.items : null)],
    ['fees[].type', (v) => fees.add(v as string)],
    [
      'cancel',
      (v) => {
        rules.cancel = v === PRESENT ? cancel : null;
      },
    ],
    ['cancel.transactionKey', (v) => (cancel.transactionKey = v as string)],
  ]);
  return new Map([...takes].map(([path, take]) => [path, new Capturing(take, REPEATING_TEXT_FIELDS.has(path))]));
}

interface AvroField {
  readonly name: string;
  readonly type: Type;
}

function compile(type: Type, capture: ReadonlyMap<string, Capture>, path = ''): Node {
  switch (type.typeName) {
    case 'string':
    case 'long':
    case 'int':
    case 'boolean':
      return { kind: type.typeName };
    case 'union:unwrapped': {
      const types = (type as unknown as { types: Type[] }).types;
      if (types.length !== 2 || types[0]?.typeName !== 'null') throw new Unsupported(`${path}: a union other than [null, X]`);
      return { kind: 'nullable', inner: compile(types[1] as Type, capture, path) };
    }
    case 'array':
      return { kind: 'array', items: compile((type as unknown as { itemsType: Type }).itemsType, capture, `${path}[]`) };
    case 'record': {
      const fields = (type as unknown as { fields: AvroField[] }).fields.map((f): Field => {
        const at = path === '' ? f.name : `${path}.${f.name}`;
        return {
          name: f.name,
          nameBytes: Buffer.from(f.name),
          node: compile(f.type, capture, at),
          capture: capture.get(at) ?? null,
          member: !(path === '' && f.name === UNKNOWN_FIELDS),
        };
      });
      const byLength: number[][] = [];
      fields.forEach((f, k) => {
        if (f.member) (byLength[f.nameBytes.length] ??= []).push(k);
      });
      return { kind: 'record', fields, byLength };
    }
    default:
      throw new Unsupported(`${path}: ${type.typeName}`);
  }
}

/** The schema's fields are the shape's: the same top-level names (and unknownFields), the nested objects' names, kinds and nullability. */
function matchesShape(top: RecordNode): boolean {
  const names = top.fields.filter((f) => f.member).map((f) => f.name);
  if (names.length !== TOP_LEVEL_FIELDS.size || !names.every((n) => TOP_LEVEL_FIELDS.has(n))) return false;
  if (!top.fields.some((f) => !f.member)) return false;
  for (const f of top.fields) {
    const shape = (NESTED_SHAPES as Record<string, ObjectShape>)[f.name];
    if (shape !== undefined && !(f.node.kind === 'nullable' && sameShape(f.node.inner, shape))) return false;
    if (f.name === 'fees' && !(f.node.kind === 'nullable' && f.node.inner.kind === 'array' && sameShape(f.node.inner.items, FEE))) return false;
  }
  return true;
}

function sameShape(node: Node, shape: ObjectShape): boolean {
  if (node.kind !== 'record' || node.fields.length !== Object.keys(shape).length) return false;
  return node.fields.every((f) => {
    const want = shape[f.name];
    if (want === undefined) return false;
    if ('object' in want) return f.node.kind === 'nullable' && sameShape(f.node.inner, want.object);
    const kind = f.node.kind === 'nullable' ? f.node.inner.kind : f.node.kind;
    return kind === want.kind && (f.node.kind === 'nullable') === want.nullable;
  });
}

// ---- reading the text, writing Avro ----------------------------------------------------------------------------

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const INT32_MAX = 2 ** 31 - 1;
const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

const EMPTY = Buffer.alloc(0);
/** The buffer and position being written (one row at a time; module state keeps the recursion's arguments few). */
const writing: { out: Buffer; pos: number } = { out: EMPTY, pos: 0 };
/** Where the last string read stands in the text (its first byte and its closing quote), for a capture that wants its bytes. */
let stringFrom = 0;
let stringTo = 0;
/** Where the last number read ends. */
let numberEnd = 0;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end && isSpace(b[i] as number)) i++;
  return i;
}

/** The literal (`null`, `true`, `false`) at `i`, spelled out in `word`: true when it is there. */
function isLiteral(b: Buffer, i: number, end: number, word: Uint8Array): boolean {
  if (i + word.length > end) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}

/** avsc's writeLong: zig-zag, then 7 bits a byte, low first (exact: values here stay below 2^50). */
function writeLong(n: number): void {
  const out = writing.out;
  let pos = writing.pos;
  let m = n >= 0 ? 2 * n : -2 * n - 1;
  while (m >= 0x80) {
    out[pos++] = (m % 0x80) | 0x80;
    m = Math.floor(m / 0x80);
  }
  out[pos++] = m;
  writing.pos = pos;
}

/**
 * The object whose `{` is at `i`, written as the record `node`: members in the schema's order, each written as it
 * is read, a member left out written as null where it would stand (declined when the field is required). Declines
 * an unknown member, one out of order or given twice. Returns the index after its `}`.
 */
function writeRecord(node: RecordNode, b: Buffer, i: number, end: number): number {
  const fields = node.fields;
  let next = 0; // the schema index the next member should have
  i = skipSpace(b, i + 1, end);
  if (b[i] !== CLOSE_BRACE)
    for (;;) {
      if (b[i] !== QUOTE) throw BAIL;
      const close = nameEnd(b, i, end);
      const k = fieldNamed(node, b, i + 1, close, next);
      if (k < next) throw BAIL;
      for (; next < k; next++) writeNull(fields[next] as Field);
      const field = fields[k] as Field;
      i = skipSpace(b, close + 1, end);
      if (b[i] !== COLON) throw BAIL;
      i = writeValue(field.node, b, skipSpace(b, i + 1, end), end, field.capture);
      next = k + 1;
      i = skipSpace(b, i, end);
      const c = b[i];
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw BAIL;
      i = skipSpace(b, i + 1, end);
    }
  for (; next < fields.length; next++) writeNull(fields[next] as Field);
  return i + 1;
}

/** A field the text left out: null where the schema allows it (fitToAvro's rule); a required one is the general path's reject. */
function writeNull(field: Field): void {
  if (field.node.kind !== 'nullable') throw BAIL;
  writing.out[writing.pos++] = 0;
  field.capture?.take(null);
}

/** The closing quote of the member name whose opening quote is at `i` (ASCII without escapes: else no field has that name). */
function nameEnd(b: Buffer, i: number, end: number): number {
  for (i++; i < end; i++) {
    const c = b[i] as number;
    if (c === QUOTE) return i;
    if (c < 0x20 || c === BACKSLASH || c >= 0x80) throw BAIL;
  }
  throw BAIL;
}

/** The field whose name is b[from, to): the expected one (`next`) is tried first; -1 when the record has none. */
function fieldNamed(node: RecordNode, b: Buffer, from: number, to: number, next: number): number {
  const expected = node.fields[next];
  if (expected !== undefined && expected.member && sameName(expected.nameBytes, b, from, to)) return next;
  const candidates = node.byLength[to - from];
  if (candidates === undefined) return -1;
  for (const k of candidates) if (sameName((node.fields[k] as Field).nameBytes, b, from, to)) return k;
  return -1;
}

function sameName(name: Uint8Array, b: Buffer, from: number, to: number): boolean {
  if (to - from !== name.length) return false;
  for (let j = 0; j < name.length; j++) if (b[from + j] !== name[j]) return false;
  return true;
}

/** The value at b[i] written as `node` says, strictly, its capture told; returns the index after it. */
function writeValue(node: Node, b: Buffer, i: number, end: number, capture: Capture): number {
  const out = writing.out;
  switch (node.kind) {
    case 'nullable':
      if (isLiteral(b, i, end, NULL)) {
        out[writing.pos++] = 0;
        capture?.take(null);
        return i + 4;
      }
      out[writing.pos++] = 2; // branch 1, zig-zag
      return writeValue(node.inner, b, i, end, capture);
    case 'string':
      return writeString(b, i, end, capture);
    case 'long':
    case 'int': {
      const v = readInteger(b, i, end);
      if (node.kind === 'int' && Math.abs(v) > INT32_MAX) throw BAIL;
      writeLong(v);
      capture?.take(v);
      return numberEnd;
    }
    case 'boolean':
      if (isLiteral(b, i, end, TRUE)) {
        out[writing.pos++] = 1;
        return i + 4;
      }
      if (isLiteral(b, i, end, FALSE)) {
        out[writing.pos++] = 0;
        return i + 5;
      }
      throw BAIL;
    case 'record':
      if (b[i] !== OPEN_BRACE) throw BAIL;
      capture?.take(PRESENT);
      return writeRecord(node, b, i, end);
    case 'array':
      if (b[i] !== OPEN_BRACKET) throw BAIL;
      capture?.take(PRESENT);
      return writeArray(node.items, b, i, end);
  }
}

/**
 * The string whose opening quote is at `i`: its length, then its bytes, copied as they are read (its length is
 * guessed to take one byte; a string of 64 bytes or more is moved once its length is known). Declines an escape, a
 * control character (JSON.parse refuses those), bytes that are not well-formed UTF-8, a string the text does not close.
 */
function writeString(b: Buffer, i: number, end: number, capture: Capture): number {
  if (b[i] !== QUOTE) throw BAIL;
  const out = writing.out;
  const lengthAt = writing.pos;
  let pos = lengthAt + 1;
  let ascii = true;
  const from = i + 1;
  for (i = from; ; i++) {
    if (i >= end) throw BAIL;
    const c = b[i] as number;
    if (c === QUOTE) break;
    if (c < 0x20 || c === BACKSLASH) throw BAIL;
    if (c >= 0x80) {
      ascii = false;
      const last = utf8Char(b, i, end);
      for (; i < last; i++) out[pos++] = b[i] as number;
      out[pos++] = b[i] as number;
    } else out[pos++] = c;
  }
  const length = i - from;
  if (length < 64) {
    out[lengthAt] = 2 * length;
    writing.pos = pos;
  } else {
    let lengthBytes = 1;
    for (let m = 2 * length; m >= 0x80; m = Math.floor(m / 0x80)) lengthBytes++;
    out.copyWithin(lengthAt + lengthBytes, lengthAt + 1, pos);
    writing.pos = lengthAt;
    writeLong(length);
    writing.pos += length;
  }
  if (capture !== null) {
    stringFrom = from;
    stringTo = i;
    capture.string(b, from, i, ascii);
  }
  return i + 1;
}

/** The well-formed UTF-8 character whose first byte is at `i` (≥ 0x80): the index of its last byte (else a decline). */
function utf8Char(b: Buffer, i: number, end: number): number {
  const n = utf8SequenceLength(b, i, end);
  if (n === 0) throw BAIL;
  return i + n - 1;
}

/** The JSON integer at `i` (at most 15 digits, so exact; no fraction, exponent, leading zero or -0), with numberEnd. */
function readInteger(b: Buffer, i: number, end: number): number {
  const negative = b[i] === MINUS;
  if (negative) i++;
  const first = i;
  let v = 0;
  while (i < end) {
    const d = (b[i] as number) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    i++;
  }
  const digits = i - first;
  if (digits === 0 || digits > 15 || (b[first] === 0x30 && (digits > 1 || negative))) throw BAIL;
  const next = b[i];
  if (next === 0x2e || next === 0x65 || next === 0x45) throw BAIL;
  numberEnd = i;
  return negative ? -v : v;
}

/** The array whose `[` is at `i`: one block of its items and a 0 (an empty array: the 0 alone), as avsc writes it. */
function writeArray(items: Node, b: Buffer, i: number, end: number): number {
  const countAt = writing.pos++;
  let n = 0;
  i = skipSpace(b, i + 1, end);
  if (b[i] !== CLOSE_BRACKET)
    for (;;) {
      i = skipSpace(b, writeValue(items, b, i, end, null), end);
      n++;
      if (b[i] === CLOSE_BRACKET) break;
      if (b[i] !== COMMA) throw BAIL;
      i = skipSpace(b, i + 1, end);
    }
  if (n > 63) throw BAIL; // the count in one byte (zig-zag 2n < 128); Toss sends a handful of fees
  if (n === 0) writing.out[countAt] = 0;
  else {
    writing.out[countAt] = 2 * n;
    writing.out[writing.pos++] = 0;
  }
  return i + 1;
}
