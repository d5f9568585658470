/**
 * Avro's binary encoding read in place, for the consumer's two accelerators (settlement-rule-reader.ts,
 * ../mysql/settlement-avro-rows.ts): zig-zag varints, length-prefixed strings, the `[null, X]` union, arrays in
 * blocks, records as their fields in order. A schema is compiled once into nodes that know how to pass over a value.
 *
 * It reads only what it can promise to read as avsc would. Anything else (a truncated body, a union branch other than
 * 0 or 1, a long beyond ±2^52, a type it does not compile) throws BAIL, or UnsupportedSchema at compile time, and the
 * caller takes its general path, where avsc decides. BAIL never leaves the accelerator that caught it.
 */

/** Thrown when the bytes are not what an accelerator can read: the caller takes its general path. */
export const BAIL = Symbol('take the general path');

/** A schema holding a type these readers do not compile (double, enum, map, bytes, a union other than `[null, X]`). */
export class UnsupportedSchema extends Error {}

/** Past the value at `pos` (BAIL when it does not end by `end`). */
export type Skip = (v: Buffer, pos: number, end: number) => number;

/** A schema type, with how to pass over a value of it (a closure made once: no switch per value). */
export type AvroNode = PrimitiveNode | NullableNode | ArrayNode | RecordNode;
export interface PrimitiveNode {
  readonly kind: 'string' | 'long' | 'boolean' | 'null';
  readonly skip: Skip;
}
export interface NullableNode {
  readonly kind: 'nullable';
  readonly inner: AvroNode;
  readonly skip: Skip;
}
export interface ArrayNode {
  readonly kind: 'array';
  readonly items: AvroNode;
  readonly skip: Skip;
}
export interface RecordNode {
  readonly kind: 'record';
  readonly fields: readonly AvroField[];
  readonly skip: Skip;
}
export interface AvroField {
  readonly name: string;
  readonly node: AvroNode;
}

/** The schema (parsed JSON) as nodes; UnsupportedSchema for a type these readers do not read. */
export function compileSchema(schema: unknown): AvroNode {
  return compile(schema, new Map());
}

function compile(schema: unknown, named: Map<string, AvroNode>): AvroNode {
  if (typeof schema === 'string') {
    if (schema === 'string') return { kind: schema, skip: skipString };
    if (schema === 'long' || schema === 'int') return { kind: 'long', skip: skipLong }; // the same zig-zag varint
    if (schema === 'boolean') return { kind: schema, skip: skipBoolean };
    if (schema === 'null') return { kind: schema, skip: (_v, pos) => pos };
    const ref = named.get(schema);
    if (ref) return ref;
    throw new UnsupportedSchema(`type ${schema}`);
  }
  if (Array.isArray(schema)) {
    if (schema.length === 2 && schema[0] === 'null') return nullable(compile(schema[1], named));
    throw new UnsupportedSchema('a union other than [null, X]');
  }
  const s = schema as { type?: unknown; name?: unknown; fields?: unknown; items?: unknown };
  if (s.type === 'record' && Array.isArray(s.fields)) {
    const fields = (s.fields as Array<{ name: string; type: unknown }>).map((f) => ({ name: f.name, node: compile(f.type, named) }));
    const node = record(fields);
    if (typeof s.name === 'string') named.set(s.name, node);
    return node;
  }
  if (s.type === 'array') return array(compile(s.items, named));
  if (typeof s.type === 'string' || Array.isArray(s.type)) return compile(s.type, named);
  throw new UnsupportedSchema(`type ${JSON.stringify(s.type)}`);
}

export const unwrapNullable = (node: AvroNode): AvroNode => (node.kind === 'nullable' ? node.inner : node);

function nullable(inner: AvroNode): NullableNode {
  const innerSkip = inner.skip;
  return {
    kind: 'nullable',
    inner,
    skip: (v, pos, end) => (readPresent(v, pos, end) ? innerSkip(v, cursor, end) : cursor),
  };
}

function array(items: AvroNode): ArrayNode {
  const itemSkip = items.skip;
  return {
    kind: 'array',
    items,
    skip: (v, pos, end) => {
      let p = pos;
      for (;;) {
        const count = readBlockCount(v, p, end);
        p = cursor;
        if (count === 0) return p;
        for (let k = 0; k < count; k++) p = itemSkip(v, p, end);
      }
    },
  };
}

function record(fields: readonly AvroField[]): RecordNode {
  const skips = fields.map((f) => f.node.skip);
  const n = fields.length;
  return {
    kind: 'record',
    fields,
    skip: (v, pos, end) => {
      let p = pos;
      for (let i = 0; i < n; i++) p = (skips[i] as Skip)(v, p, end);
      return p;
    },
  };
}

/** Where the last readLong stopped (one module-level cursor: no object per read). */
export let cursor = 0;
const MAX_RAW = 2 ** 53 - 1; // the zig-zag value of ±2^52: larger ones bail

/** A zig-zag varint (Avro int or long) at `pos`; sets `cursor` past it. */
export function readLong(buf: Buffer, pos: number, end: number): number {
  if (pos >= end) throw BAIL;
  let b = buf[pos++] as number;
  if (b < 0x80) {
    cursor = pos;
    return b & 1 ? -((b + 1) >> 1) : b >> 1;
  }
  let n = b & 0x7f;
  let scale = 128;
  while (b >= 0x80) {
    if (pos >= end || scale > 2 ** 56) throw BAIL;
    b = buf[pos++] as number;
    n += (b & 0x7f) * scale;
    scale *= 128;
  }
  if (n > MAX_RAW) throw BAIL;
  cursor = pos;
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

/**
 * The branch of a `[null, X]` union at `pos`: true for X, false for null (BAIL for any other); `cursor` is left past
 * it, where X's value starts.
 */
export function readPresent(v: Buffer, pos: number, end: number): boolean {
  const branch = readLong(v, pos, end);
  if (branch === 0) return false;
  if (branch !== 1) throw BAIL;
  return true;
}

/**
 * An array block's item count at `pos` (0 ends the array); `cursor` is left past the block's header, including the
 * byte size a negative count announces.
 */
export function readBlockCount(v: Buffer, pos: number, end: number): number {
  const count = readLong(v, pos, end);
  if (count >= 0) return count;
  readLong(v, cursor, end); // a block's byte size
  return -count;
}

export function skipLong(v: Buffer, pos: number, end: number): number {
  readLong(v, pos, end);
  return cursor;
}

/** A string's bytes at `pos`: sets `cursor` to where they start and returns where they end. */
export function stringBounds(v: Buffer, pos: number, end: number): number {
  const len = readLong(v, pos, end);
  const to = cursor + len;
  if (len < 0 || to > end) throw BAIL;
  return to;
}

export const skipString: Skip = stringBounds;

export function skipBoolean(_v: Buffer, pos: number, end: number): number {
  if (pos >= end) throw BAIL;
  return pos + 1;
}
