import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FEE,
  NESTED_SHAPES,
  TOP_LEVEL_FIELDS,
  UNKNOWN_FIELDS,
  unknownFieldName,
  unknownFieldNames,
  type ObjectShape,
} from '../../../src/domain/settlement/settlement-shape.js';

interface AvroField {
  readonly name: string;
  readonly type: unknown;
}
interface AvroRecord {
  readonly type: 'record';
  readonly name: string;
  readonly fields: readonly AvroField[];
}

const schema = JSON.parse(readFileSync(new URL('../../../schemas/toss-settlement.avsc', import.meta.url), 'utf8')) as AvroRecord;
const field = (record: AvroRecord, name: string): AvroField => {
  const f = record.fields.find((x) => x.name === name);
  if (!f) throw new Error(`${record.name} has no field ${name}`);
  return f;
};
/** The record inside ["null", record] (or an array of records). */
const recordOf = (type: unknown): AvroRecord => {
  const branch = Array.isArray(type) ? type.find((t) => t !== 'null') : type;
  const b = branch as { type: string; items?: AvroRecord };
  return (b.type === 'array' ? b.items : b) as AvroRecord;
};

/** What the domain shape says about a record, in the Avro schema's own words. */
function asAvro(shape: ObjectShape): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(shape).map(([name, f]) => [name, 'object' in f ? { nullable: true, record: asAvro(f.object) } : f.nullable ? ['null', f.kind] : f.kind]),
  );
}
function fromAvro(record: AvroRecord): Record<string, unknown> {
  return Object.fromEntries(
    record.fields.map((f) => {
      const isRecord = Array.isArray(f.type) && f.type.some((t) => typeof t === 'object');
      return [f.name, isRecord ? { nullable: true, record: fromAvro(recordOf(f.type)) } : f.type];
    }),
  );
}

describe('the settlement shape the processor checks is the Avro schema', () => {
  it('names the same top-level fields, plus our own unknownFields', () => {
    expect(new Set(schema.fields.map((f) => f.name))).toEqual(new Set([...TOP_LEVEL_FIELDS, UNKNOWN_FIELDS]));
    expect(field(schema, UNKNOWN_FIELDS)).toMatchObject({ type: ['null', 'string'], default: null });
  });

  it.each(Object.keys(NESTED_SHAPES))('%s: same fields, same types, same nullability', (name) => {
    expect(asAvro(NESTED_SHAPES[name as keyof typeof NESTED_SHAPES])).toEqual(fromAvro(recordOf(field(schema, name).type)));
  });

  it('fees: same line fields', () => {
    expect(asAvro(FEE)).toEqual(fromAvro(recordOf(field(schema, 'fees').type)));
  });
});

describe('unknown field names', () => {
  it('are paths without array indexes, each once', () => {
    expect(unknownFieldName('fees[12].memo')).toBe('fees[].memo');
    expect(unknownFieldNames(JSON.stringify({ cancels: [], 'fees[0].memo': 1, 'fees[1].memo': 2, 'card.x': true }))).toEqual([
      'cancels',
      'fees[].memo',
      'card.x',
    ]);
    expect(unknownFieldNames(null)).toEqual([]);
  });
});
