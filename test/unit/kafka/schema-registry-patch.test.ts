import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * patches/@kafkajs+confluent-schema-registry+4.1.0.patch: the library requires its JSON Schema (ajv) and Protobuf
 * (protobufjs) support when such a schema is first read, not at import. settle reads only Avro, so neither loads.
 */
const require = createRequire(import.meta.url);

interface SchemaLike {
  toBuffer(payload: object): Buffer;
  fromBuffer(buffer: Buffer): unknown;
}
const { schemaFromConfluentSchema } = require('@kafkajs/confluent-schema-registry/dist/schemaTypeResolver.js') as {
  schemaFromConfluentSchema(schema: { type: string; schema: string }): SchemaLike;
};

/** The modules of `packages` that a fresh Node process holds after running `code`. */
function loadedAfter(code: string, packages: string): number {
  const probe = `${code}; const n = Object.keys(require.cache).filter((k) => /node_modules\\/(${packages})\\//.test(k)).length; process.stdout.write(String(n));`;
  return Number(execFileSync(process.execPath, ['-e', probe], { cwd: process.cwd(), encoding: 'utf8' }));
}

describe('@kafkajs/confluent-schema-registry 4.1.0 as patched', () => {
  it('loads neither ajv nor protobufjs at import, nor for an Avro schema', () => {
    const avro = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] });
    const code = `require('@kafkajs/confluent-schema-registry'); require('@kafkajs/confluent-schema-registry/dist/schemaTypeResolver.js').schemaFromConfluentSchema({ type: 'AVRO', schema: ${JSON.stringify(avro)} })`;
    expect(loadedAfter(code, 'ajv|protobufjs')).toBe(0);
    // the probe can see them: reading a JSON schema loads ajv
    const json = `require('@kafkajs/confluent-schema-registry/dist/schemaTypeResolver.js').schemaFromConfluentSchema({ type: 'JSON', schema: '{}' })`;
    expect(loadedAfter(json, 'ajv')).toBeGreaterThan(0);
  });

  it('still reads JSON and Protobuf schemas when asked', () => {
    const json = schemaFromConfluentSchema({
      type: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { a: { type: 'number' } }, required: ['a'] }),
    });
    expect(json.fromBuffer(json.toBuffer({ a: 1 }))).toEqual({ a: 1 });
    expect(() => json.toBuffer({})).toThrow(/invalid payload/);
    const proto = schemaFromConfluentSchema({ type: 'PROTOBUF', schema: 'syntax = "proto3"; package t; message M { int32 a = 1; }' });
    const bytes = proto.toBuffer({ a: 5 });
    expect([...bytes]).toEqual([0x08, 0x05]);
    expect(proto.fromBuffer(bytes)).toMatchObject({ a: 5 });
  });
});
