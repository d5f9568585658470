import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import avsc from 'avsc';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { validateSettlement } from '../../../src/domain/settlement/validate-settlement.js';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { fitToAvro } from '../../../src/infrastructure/kafka/avro-fit.js';
import { bySize } from '../../../src/infrastructure/kafka/kafka-settlement-publisher.js';
import { murmur2, Murmur2Partitioner } from '../../../src/infrastructure/kafka/murmur2-partitioner.js';
import { readSettlementSchema, SettlementSerde } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { generateSettlementRows } from '../../support/settlement-row-generator.js';

const examples = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as unknown[];
const settlement = (raw: unknown): Settlement => {
  const r = validateSettlement(raw);
  if (!r.ok) throw new Error(r.rejection.reason);
  return r.value;
};
const type = avsc.Type.forSchema(JSON.parse(readSettlementSchema()) as avsc.Schema);
// encodeBatch needs no registry call: the schema id is the only thing it takes from registration
const serde = SettlementSerde.withSchemaId(0);

describe('SettlementSerde.encodeBatch', () => {
  it('frames every row as Confluent wire format whose body is the same Avro the schema writes', () => {
    const rows = [...examples, ...generateSettlementRows({ count: 300, from: '2025-02-03' })].map(settlement);
    const values = serde.encodeBatch(rows);
    expect(values).toHaveLength(rows.length);
    values.forEach((v, i) => {
      if (!Buffer.isBuffer(v)) throw new Error(`row ${i} unfit: ${v.unfit}`);
      expect([...v.subarray(0, 5)]).toEqual([0, 0, 0, 0, 0]); // magic byte, then the (here zero) schema id
      expect(v.subarray(5).equals(type.toBuffer(fitToAvro(type, rows[i])))).toBe(true);
    });
  });

  it('spills into a new chunk when a page outgrows one megabyte, leaving earlier values intact', () => {
    const rows = generateSettlementRows({ count: 6000, from: '2025-02-03' }).map(settlement);
    const values = serde.encodeBatch(rows) as Buffer[];
    expect(new Set(values.map((v) => v.buffer)).size).toBeGreaterThan(1);
    for (const i of [0, 2999, 5999]) expect(type.fromBuffer((values[i] as Buffer).subarray(5))).toMatchObject({ transactionKey: rows[i]?.transactionKey });
  });

  it('encodes a single row (the consumer tests’ path) without reserving a page-sized chunk, even a row larger than its guess', async () => {
    const [card, cancel] = examples as [Record<string, unknown>, Record<string, unknown>];
    expect((await serde.encode(settlement(card))).buffer.byteLength).toBeLessThanOrEqual(Buffer.poolSize); // a pooled slice, not a 1 MB chunk
    const long = settlement({ ...cancel, cancel: { ...(cancel.cancel as object), cancelReason: '환불'.repeat(2000) } });
    const value = await serde.encode(long);
    expect(type.fromBuffer(value.subarray(5))).toMatchObject({ cancel: { cancelReason: '환불'.repeat(2000) } });
  });

  it('returns a row the schema refuses as unfit, naming the path, and still encodes its neighbours', () => {
    const [card] = examples as [Record<string, unknown>];
    // the processor rejects this row first (validate-settlement names card.issuerCode); the serde must still refuse it alone
    const valid = settlement(card);
    const broken: Settlement = { ...valid, transactionKey: 'BROKEN', card: { ...valid.card, issuerCode: null } };
    const [before, bad, after] = serde.encodeBatch([settlement(card), broken, settlement(card)]);
    expect(Buffer.isBuffer(before) && Buffer.isBuffer(after)).toBe(true);
    expect(bad).toEqual({ unfit: expect.stringContaining('card.issuerCode') as unknown });
  });
});

describe('Murmur2Partitioner', () => {
  const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

  it('hashes exactly like kafkajs (and the Java client) for keys of every length and for non-ASCII', () => {
    for (let i = 0; i < 2000; i++) {
      const key = `tviva${i.toString(36)}${'x'.repeat(i % 9)}${i % 5 === 0 ? '결제' : ''}`;
      expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(key));
    }
  });

  it('sends a key to the partition kafkajs’s DefaultPartitioner would, and honours an explicit partition', () => {
    const partitionMetadata = Array.from({ length: 6 }, (_, i) => ({ partitionId: i, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
    const partition = Murmur2Partitioner();
    for (const key of ['tviva20250209065832Ab3x7', 'a', '']) {
      expect(partition({ topic: 't', partitionMetadata, message: { key, value: null } })).toBe((kafkajsMurmur2(key) & 0x7fffffff) % 6);
    }
    expect(partition({ topic: 't', partitionMetadata, message: { key: 'k', value: null, partition: 4 } })).toBe(4);
  });
});

describe('bySize (produce calls under the broker’s message.max.bytes)', () => {
  const msg = (bytes: number): Message => ({ key: 'k', value: Buffer.alloc(bytes) });

  it('keeps each call under the byte budget and every message in order', () => {
    const messages = Array.from({ length: 50 }, (_, i) => msg(100 + i));
    const chunks = [...bySize(messages, 2000)];
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.flat()).toEqual(messages);
    for (const c of chunks) expect(c.reduce((n, m) => n + (m.value as Buffer).length + 1 + 96, 0)).toBeLessThanOrEqual(2000);
  });

  it('sends a single oversized message alone rather than dropping it', () => {
    expect([...bySize([msg(10), msg(5000), msg(10)], 1000)].map((c) => c.length)).toEqual([1, 1, 1]);
  });
});
