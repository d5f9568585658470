import type { Type } from 'avsc';

interface AvroField {
  readonly name: string;
  readonly type: Type;
}

/**
 * Shapes a JSON value (as Toss sent it) to an Avro type: absent fields become null (or the field's default),
 * unknown fields are dropped, nested records and arrays are walked. It never invents money or dates: a
 * required field that is missing stays undefined and the encoder names it.
 */
export function fitToAvro(type: Type, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const typeName = type.typeName;
  if (typeName === 'record') {
    const fields = (type as unknown as { fields: AvroField[] }).fields;
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of fields) out[f.name] = obj[f.name] === undefined ? (acceptsNull(f.type) ? null : undefined) : fitToAvro(f.type, obj[f.name]);
    return out;
  }
  if (typeName === 'array' && Array.isArray(value)) {
    const items = (type as unknown as { itemsType: Type }).itemsType;
    return value.map((v) => fitToAvro(items, v));
  }
  if (typeName === 'union:unwrapped') {
    const branch = (type as unknown as { types: Type[] }).types.find((t) => t.typeName !== 'null');
    return branch ? fitToAvro(branch, value) : value;
  }
  return value;
}

const acceptsNull = (type: Type): boolean =>
  type.typeName === 'null' || (type.typeName === 'union:unwrapped' && (type as unknown as { types: Type[] }).types.some((t) => t.typeName === 'null'));
