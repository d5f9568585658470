import { writeUtcDateTime } from '../../application/ingest/offset-date-time.js';
import { BACKSLASH, CR, NEWLINE, TAB, type TsvWriter } from './settlement-load-data.js';
import { utf8SequenceLength } from '../utf8-sequence.js';
import {
  type AvroField,
  type AvroNode,
  BAIL,
  compileSchema,
  cursor,
  readBlockCount,
  readLong,
  readPresent,
  type RecordNode,
  type Skip,
  stringBounds,
  UnsupportedSchema,
  unwrapNullable,
} from '../kafka/avro-binary.js';

/**
 * The consumer's fast path from Kafka to LOAD DATA: a settlement's data columns written straight from the record's
 * Avro bytes into the batch's TSV, with no Settlement object, no column array and no string per field in between.
 *
 * It is an accelerator, never a second definition. toSettlementRow + TsvWriter (settlement-row.ts,
 * settlement-load-data.ts) say what a row is; this writes the same bytes, and a unit test compares the two over
 * generated days and hand-made edge cases (escapes, Korean text, control characters, long values, nulls). Whenever
 * it cannot promise the same bytes it writes nothing and answers false, and the store takes the general path for
 * that row:
 * - the bytes are not in the layout it was compiled for (the decoder checks the writer schema is the reader schema;
 *   a truncated or trailing body is caught here);
 * - a string is not well-formed UTF-8 (the decoder would have replaced bytes with U+FFFD);
 * - a long is beyond ±2^52 (the general path decides how such a value fails);
 * - a "fitting" column's text is longer in bytes than its limit and not ASCII (its UTF-16 length is then counted
 *   by the general path).
 *
 * Reading Avro's binary encoding here is deliberate and small (zig-zag varints, length-prefixed strings, the
 * `[null, X]` union, arrays in blocks, records as their fields in order): avsc has no API that writes one format
 * from another's bytes, and the columns are ours. Writing TSV follows LOAD DATA's default format (settlement-load-data.ts);
 * the `details` JSON follows JSON.stringify (the same escapes, members in schema order, nested nulls kept).
 */
export class SettlementAvroRows {
  readonly #top: RecordNode;
  readonly #slot: ReadonlyMap<string, number>;
  /** Per top-level field of the current row: where its value starts (after a union's branch), -1 for null. */
  readonly #at: Int32Array;
  readonly #columns: readonly Column[];
  readonly #details: ReadonlyArray<{ readonly slot: number; readonly json: Json; readonly key: Uint8Array }>;

  private constructor(top: RecordNode) {
    this.#top = top;
    this.#slot = new Map(top.fields.map((f, i) => [f.name, i]));
    this.#at = new Int32Array(top.fields.length);
    this.#columns = COLUMNS.map((c) => this.#column(c));
    const made = new Map<AvroNode, Json>();
    this.#details = DETAILS.map((name) => {
      const slot = this.#slotOf(name);
      const node = unwrapNullable((top.fields[slot] as AvroField).node);
      return { slot, json: jsonOf(node, made), key: ascii(`"${name}":`) };
    });
  }

  /**
   * The row writer for a schema (its JSON text), or null when the schema holds a type this writer does not read
   * (double, enum, map, bytes, a union other than `[null, X]`) or lacks a field a column needs: the store then
   * writes every row by the general path.
   */
  static forSchema(schemaText: string): SettlementAvroRows | null {
    try {
      const node = compileSchema(JSON.parse(schemaText) as unknown);
      return node.kind === 'record' ? new SettlementAvroRows(node) : null;
    } catch (error) {
      if (error instanceof UnsupportedSchema) return null;
      throw error;
    }
  }

  /**
   * Writes the data columns of the settlement in `value` (its Avro body from `start`), each followed by a tab, into
   * the writer. `approvedAtMs` is approvedAt as the ingest parsed it. false: nothing written, use the general path.
   */
  write(writer: TsvWriter, value: Buffer, start: number, approvedAtMs: number): boolean {
    const rowStart = writer.pos;
    try {
      const end = value.length;
      const at = this.#at;
      const fields = this.#top.fields;
      let pos = start;
      for (let i = 0; i < fields.length; i++) {
        const node = (fields[i] as AvroField).node;
        if (node.kind === 'nullable') {
          const present = readPresent(value, pos, end);
          pos = cursor;
          if (!present) {
            at[i] = -1;
            continue;
          }
          at[i] = pos;
          pos = node.inner.skip(value, pos, end);
        } else {
          at[i] = pos;
          pos = node.skip(value, pos, end);
        }
      }
      if (pos !== end) throw BAIL; // trailing bytes: not this layout
      // the worst case per body byte is a control character in `details` (\\u00XX, 7 bytes), plus names and numbers
      writer.room(8 * (end - start) + 4096);
      for (const column of this.#columns) column(writer, value, end, approvedAtMs);
      return true;
    } catch (error) {
      if (error !== BAIL) throw error;
      writer.pos = rowStart;
      return false;
    }
  }

  #slotOf(name: string): number {
    const slot = this.#slot.get(name);
    if (slot === undefined) throw new UnsupportedSchema(`no field ${name}`);
    return slot;
  }

  /** The writer of one column, from its definition. */
  #column(def: ColumnDef): Column {
    const at = this.#at;
    if (def.kind === 'approvedAtUtc')
      return (w, _v, _e, ms) => {
        w.pos = writeUtcDateTime(w.buf, w.pos, ms);
        w.buf[w.pos++] = TAB;
      };
    if (def.kind === 'details') return (w, v, e) => this.#writeDetails(w, v, e);
    const c = def as FieldColumn;
    const slot = this.#slotOf(c.from);
    const fieldNode = (this.#top.fields[slot] as AvroField).node;
    const node = unwrapNullable(fieldNode);
    if (c.of === undefined) {
      if (node.kind !== c.kind) throw new UnsupportedSchema(`${c.from} is not a ${c.kind}`);
      return c.kind === 'string'
        ? (w, v, e) => {
            const p = at[slot] as number;
            if (p < 0) writeNull(w);
            else tsvString(w, v, p, e, -1);
          }
        : (w, v, e) => {
            const p = at[slot] as number;
            if (p < 0) writeNull(w);
            else writeNumber(w, readLong(v, p, e));
          };
    }
    // a member of a nested record: `of` names it; the record may be null (then so is the column)
    if (node.kind !== 'record') throw new UnsupportedSchema(`${c.from} is not a record`);
    const index = node.fields.findIndex((f) => f.name === c.of);
    const member = node.fields[index]?.node;
    if (member === undefined || member.kind !== c.kind) throw new UnsupportedSchema(`${c.from}.${c.of} is not a ${c.kind}`);
    const before = node.fields.slice(0, index).map((f) => f.node.skip);
    const max = c.kind === 'string' ? (c.max ?? -1) : -1;
    return (w, v, e) => {
      let p = at[slot] as number;
      if (p < 0) return writeNull(w);
      for (let i = 0; i < before.length; i++) p = (before[i] as Skip)(v, p, e);
      if (c.kind === 'string') tsvString(w, v, p, e, max);
      else writeNumber(w, readLong(v, p, e));
    };
  }

  /** `details`: JSON of the nested objects present, in schema order (settlementDetails in settlement-row.ts). */
  #writeDetails(w: TsvWriter, v: Buffer, e: number): void {
    const buf = w.buf;
    buf[w.pos++] = 0x7b; // {
    let first = true;
    for (const d of this.#details) {
      const p = this.#at[d.slot] as number;
      if (p < 0) continue;
      if (!first) buf[w.pos++] = COMMA;
      writeBytes(w, d.key);
      first = false;
      d.json(w, v, p, e);
    }
    buf[w.pos++] = 0x7d; // }
    buf[w.pos++] = TAB;
  }
}

// ---- the columns: DATA_COLUMNS of settlement-row.ts, in order, as this writer reads them from the record ----

/** A column from a top-level field (`from`), a member of a nested record (`from`.`of`), or one of the two built ones. */
type ColumnDef = FieldColumn | { readonly kind: 'approvedAtUtc' | 'details' };
interface FieldColumn {
  readonly kind: 'string' | 'long';
  readonly from: string;
  readonly of?: string;
  readonly max?: number;
}
type Column = (w: TsvWriter, value: Buffer, end: number, approvedAtMs: number) => void;

/** DATA_COLUMNS, in order (a unit test compares this writer's rows with toSettlementRow's). */
const COLUMNS: readonly ColumnDef[] = [
  { from: 'transactionKey', kind: 'string' },
  { from: 'paymentKey', kind: 'string' },
  { from: 'orderId', kind: 'string' },
  { from: 'mId', kind: 'string' },
  { from: 'method', kind: 'string' },
  { from: 'currency', kind: 'string' },
  { from: 'amount', kind: 'long' },
  { from: 'interestFee', kind: 'long' },
  { from: 'fee', kind: 'long' },
  { from: 'supplyAmount', kind: 'long' },
  { from: 'vat', kind: 'long' },
  { from: 'payOutAmount', kind: 'long' },
  { from: 'approvedAt', kind: 'string' },
  { kind: 'approvedAtUtc' },
  { from: 'soldDate', kind: 'string' },
  { from: 'paidOutDate', kind: 'string' },
  { from: 'cancel', of: 'cancelAmount', kind: 'long' },
  { from: 'cancel', of: 'canceledAt', kind: 'string', max: 35 },
  { from: 'card', of: 'issuerCode', kind: 'string', max: 4 },
  { from: 'card', of: 'approveNo', kind: 'string', max: 8 },
  { from: 'easyPay', of: 'provider', kind: 'string', max: 40 },
  { kind: 'details' },
  { from: 'unknownFields', kind: 'string' },
];
/** The members of `details`, in order (settlementDetails). */
const DETAILS = ['fees', 'card', 'easyPay', 'giftCertificate', 'mobilePhone', 'transfer', 'virtualAccount', 'cancel'] as const;

// ---- the schema's JSON writers (details), made once per node ----

/** The value at `pos` as JSON (see json below); returns the position past it. */
type Json = (w: TsvWriter, v: Buffer, pos: number, end: number) => number;

/** The JSON writer of a node (closures made once per node: no switch per value). */
function jsonOf(node: AvroNode, made = new Map<AvroNode, Json>()): Json {
  let json = made.get(node);
  if (json === undefined) {
    json = makeJson(node, made);
    made.set(node, json);
  }
  return json;
}

function makeJson(node: AvroNode, made: Map<AvroNode, Json>): Json {
  switch (node.kind) {
    case 'string':
      return jsonString;
    case 'long':
      return jsonLong;
    case 'boolean':
      return jsonBoolean;
    case 'null':
      return jsonNull;
    case 'nullable':
      return nullableJson(jsonOf(node.inner, made));
    case 'array':
      return arrayJson(jsonOf(node.items, made));
    case 'record':
      return recordJson(node, made);
  }
}

function nullableJson(innerJson: Json): Json {
  return (w, v, pos, end) => (readPresent(v, pos, end) ? innerJson(w, v, cursor, end) : jsonNull(w, v, cursor));
}

function arrayJson(itemJson: Json): Json {
  return (w, v, pos, end) => {
    w.buf[w.pos++] = 0x5b; // [
    let p = pos;
    let first = true;
    for (;;) {
      const count = readBlockCount(v, p, end);
      p = cursor;
      if (count === 0) break;
      for (let k = 0; k < count; k++) {
        if (!first) w.buf[w.pos++] = COMMA;
        first = false;
        p = itemJson(w, v, p, end);
      }
    }
    w.buf[w.pos++] = 0x5d; // ]
    return p;
  };
}

function recordJson(node: RecordNode, made: Map<AvroNode, Json>): Json {
  const fields = node.fields;
  const jsons = fields.map((f) => jsonOf(f.node, made));
  // `{"a":` for the first member, `,"b":` for the rest, and the closing brace
  const keys = fields.map((f, i) => ascii(`${i === 0 ? '{' : ','}"${f.name}":`));
  const n = fields.length;
  return (w, v, pos, end) => {
    if (n === 0) {
      writeBytes(w, EMPTY_OBJECT);
      return pos;
    }
    let p = pos;
    for (let i = 0; i < n; i++) {
      writeBytes(w, keys[i] as Uint8Array);
      p = (jsons[i] as Json)(w, v, p, end);
    }
    w.buf[w.pos++] = 0x7d; // }
    return p;
  };
}

// ---- writing ----

const QUOTE = 0x22;
const COMMA = 0x2c;
const HEX = ascii('0123456789abcdef');
const NULL_JSON = ascii('null');
const TRUE_JSON = ascii('true');
const FALSE_JSON = ascii('false');
const EMPTY_OBJECT = ascii('{}');

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function writeBytes(w: TsvWriter, bytes: Uint8Array): void {
  const buf = w.buf;
  let o = w.pos;
  for (let i = 0; i < bytes.length; i++) buf[o++] = bytes[i] as number;
  w.pos = o;
}

function writeNull(w: TsvWriter): void {
  const buf = w.buf;
  buf[w.pos++] = BACKSLASH;
  buf[w.pos++] = 0x4e; // N
  buf[w.pos++] = TAB;
}

/** A number column: its decimal text and a tab. */
function writeNumber(w: TsvWriter, n: number): void {
  w.digits(n);
  w.buf[w.pos++] = TAB;
}

/**
 * A string column at `pos` (its length prefix): LOAD DATA's escapes (backslash, tab, newline, CR, NUL), then a tab.
 * `max` ≥ 0: the column holds the text only when it has at most `max` UTF-16 units, else NULL (settlement-row's fitting).
 */
function tsvString(w: TsvWriter, v: Buffer, pos: number, end: number, max: number): void {
  const to = stringBounds(v, pos, end);
  const from = cursor;
  if (max >= 0 && to - from > max) {
    // more bytes than units allowed: ASCII is one byte per unit, so it does not fit; other text is counted by the general path
    for (let i = from; i < to; i++) if ((v[i] as number) >= 0x80) throw BAIL;
    return writeNull(w);
  }
  const buf = w.buf;
  let o = w.pos;
  for (let i = from; i < to; i++) {
    const b = v[i] as number;
    if (PLAIN_TSV[b] === 1) buf[o++] = b;
    else if (b >= 0x80) {
      const n = utf8Sequence(v, i, to);
      for (let k = 0; k < n; k++) buf[o++] = v[i + k] as number;
      i += n - 1;
    } else if (b === BACKSLASH || b === TAB || b === NEWLINE || b === CR || b === 0) {
      buf[o++] = BACKSLASH;
      buf[o++] = b === BACKSLASH ? BACKSLASH : b === TAB ? 0x74 : b === NEWLINE ? 0x6e : b === CR ? 0x72 : 0x30;
    } else buf[o++] = b;
  }
  buf[o++] = TAB;
  w.pos = o;
}

/*
 * JSON as JSON.stringify writes it, then escaped for LOAD DATA: JSON's backslashes doubled (JSON text has no raw tab,
 * newline, CR or NUL). Each writer returns the position past the value it read.
 */
function jsonNull(w: TsvWriter, _v: Buffer, pos: number): number {
  writeBytes(w, NULL_JSON);
  return pos;
}

function jsonBoolean(w: TsvWriter, v: Buffer, pos: number, end: number): number {
  if (pos >= end) throw BAIL;
  writeBytes(w, v[pos] === 0 ? FALSE_JSON : TRUE_JSON);
  return pos + 1;
}

function jsonLong(w: TsvWriter, v: Buffer, pos: number, end: number): number {
  w.digits(readLong(v, pos, end));
  return cursor;
}

/** A JSON string (JSON.stringify's escapes), its backslashes doubled for LOAD DATA. */
function jsonString(w: TsvWriter, v: Buffer, pos: number, end: number): number {
  const to = stringBounds(v, pos, end);
  const from = cursor;
  const buf = w.buf;
  let o = w.pos;
  buf[o++] = QUOTE;
  for (let i = from; i < to; i++) {
    const b = v[i] as number;
    if (PLAIN_JSON[b] === 1) buf[o++] = b;
    else if (b >= 0x80) {
      const n = utf8Sequence(v, i, to);
      for (let k = 0; k < n; k++) buf[o++] = v[i + k] as number;
      i += n - 1;
    } else if (b === QUOTE) {
      buf[o++] = BACKSLASH;
      buf[o++] = BACKSLASH;
      buf[o++] = QUOTE;
    } else if (b === BACKSLASH) {
      buf[o++] = BACKSLASH;
      buf[o++] = BACKSLASH;
      buf[o++] = BACKSLASH;
      buf[o++] = BACKSLASH;
    } else if (b < 0x20) {
      buf[o++] = BACKSLASH;
      buf[o++] = BACKSLASH;
      const short = SHORT_ESCAPES[b] ?? 0;
      if (short !== 0) buf[o++] = short;
      else {
        buf[o++] = 0x75; // u
        buf[o++] = 0x30;
        buf[o++] = 0x30;
        buf[o++] = HEX[b >> 4] as number;
        buf[o++] = HEX[b & 15] as number;
      }
    } else buf[o++] = b;
  }
  buf[o++] = QUOTE;
  w.pos = o;
  return to;
}

/** Bytes a TSV field copies as they are: ASCII but NUL, tab, newline, CR and backslash (1 = copied; one load per byte). */
const PLAIN_TSV = plainBytes((b) => b !== 0 && b !== TAB && b !== NEWLINE && b !== CR && b !== BACKSLASH);
/** Bytes a JSON string (in TSV) copies as they are: printable ASCII but quote and backslash. */
const PLAIN_JSON = plainBytes((b) => b >= 0x20 && b !== QUOTE && b !== BACKSLASH);

function plainBytes(plain: (b: number) => boolean): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, b) => (b < 0x80 && plain(b) ? 1 : 0));
}

/** JSON.stringify's two-character escapes of control characters: \b \t \n \f \r. */
const SHORT_ESCAPES: readonly number[] = (() => {
  const out = new Array<number>(0x20).fill(0);
  out[0x08] = 0x62;
  out[0x09] = 0x74;
  out[0x0a] = 0x6e;
  out[0x0c] = 0x66;
  out[0x0d] = 0x72;
  return out;
})();

/** utf8SequenceLength, or a bail when the bytes are not well-formed UTF-8. */
function utf8Sequence(v: Buffer, i: number, to: number): number {
  const n = utf8SequenceLength(v, i, to);
  if (n === 0) throw BAIL;
  return n;
}
