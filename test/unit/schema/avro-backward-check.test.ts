import { describe, expect, it } from 'vitest';
import { backwardCompatible, parseAvroSchema } from '../../../src/infrastructure/kafka/avro-backward-check.js';
import { readSettlementSchema } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { isSettleError } from '../../../src/domain/shared/settle-error.js';

interface RecordSchema {
  fields: Array<{ name: string; type: unknown; default?: unknown }>;
}

const current = readSettlementSchema();
/** The settlement schema with `change` applied to a copy of its JSON. */
const evolve = (change: (s: RecordSchema) => void): string => {
  const s = JSON.parse(current) as RecordSchema;
  change(s);
  return JSON.stringify(s);
};
const verdict = (next: string, previous = current) => backwardCompatible(parseAvroSchema(next, 'next'), parseAvroSchema(previous, 'previous'));

describe('BACKWARD compatibility checked locally with avsc (a new reader reads old data)', () => {
  it('the schema is compatible with itself', () => {
    expect(verdict(current)).toEqual({ compatible: true, reason: null });
  });

  it('adding a nullable field with a null default passes', () => {
    expect(verdict(evolve((s) => s.fields.push({ name: 'settlementBatchId', type: ['null', 'string'], default: null })))).toEqual({
      compatible: true,
      reason: null,
    });
  });

  it('removing a field passes (the new reader ignores it in old data)', () => {
    expect(verdict(evolve((s) => (s.fields = s.fields.filter((f) => f.name !== 'interestFee')))).compatible).toBe(true);
  });

  it('adding a required field without a default fails, naming the field', () => {
    const v = verdict(evolve((s) => s.fields.push({ name: 'settlementBatchId', type: 'string' })));
    expect(v.compatible).toBe(false);
    expect(v.reason).toMatch(/settlementBatchId/);
  });

  it('changing amount from long to string fails', () => {
    const v = verdict(
      evolve((s) => {
        const amount = s.fields.find((f) => f.name === 'amount');
        if (amount) amount.type = 'string';
      }),
    );
    expect(v.compatible).toBe(false);
    expect(v.reason).toBeTruthy();
  });

  it('promoting an int to long passes (Avro promotion), the reverse fails', () => {
    const withInt = evolve((s) => s.fields.push({ name: 'count', type: 'int', default: 0 }));
    const withLong = evolve((s) => s.fields.push({ name: 'count', type: 'long', default: 0 }));
    expect(verdict(withLong, withInt).compatible).toBe(true);
    expect(verdict(withInt, withLong).compatible).toBe(false);
  });

  it('a file that is not an Avro schema is a data error naming the file', () => {
    let error: unknown;
    try {
      parseAvroSchema('{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}', 'bad.avsc');
    } catch (e) {
      error = e;
    }
    expect(isSettleError(error) && error.code).toBe('SCHEMA_INVALID');
    expect(isSettleError(error) && error.category).toBe('data');
    expect((error as Error).message).toMatch(/^bad\.avsc is not a valid Avro schema/);
  });
});
