import { readFileSync } from 'node:fs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettlementProducer as createProducer } from '../../../src/infrastructure/kafka/kafka-client.js';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { publishRows } from '../../../src/application/settlement/ports.js';
import { KafkaSettlementPublisher } from '../../../src/infrastructure/kafka/kafka-settlement-publisher.js';
import { createSchemaRegistry, readSettlementSchema, SettlementSerde, subjectFor } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { rejectsTopic } from '../../../src/infrastructure/kafka/topic-admin.js';
import { RegistrySettlementDecoder } from '../../../src/infrastructure/kafka/settlement-decoder.js';
import { parseOffsetDateTime } from '../../../src/application/ingest/offset-date-time.js';
import { SettlementAvroRows } from '../../../src/infrastructure/mysql/settlement-avro-rows.js';
import { TsvWriter } from '../../../src/infrastructure/mysql/settlement-load-data.js';
import { DATA_COLUMNS, toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { createSettlementTopics, dropSettlementTopics, readTopic, testKafka, type TopicRecord } from '../../support/producer-kafka.js';
import { expectedRecord } from '../../support/producer-job.js';
import { stack, uniqueName } from '../../support/producer-stack.js';

const examples = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as unknown[];
const topic = uniqueName('settle.it.wire');
const subject = subjectFor(topic);
const registryHttp = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${stack.registryUrl}${path}`, { ...init, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...init?.headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

let schemaId: number;
let records: Array<TopicRecord<Buffer | null>>;

beforeAll(async () => {
  await createSettlementTopics(topic, 3);
  const serde = await SettlementSerde.register(createSchemaRegistry({ url: stack.registryUrl, username: null, password: null }), topic);
  schemaId = serde.schemaId;
  const producer = createProducer(testKafka(topic));
  await producer.connect();
  try {
    const rows = examples.map((raw) => expectedRecord(raw) as Settlement);
    expect(await publishRows(new KafkaSettlementPublisher(producer, serde, topic, rejectsTopic(topic)), rows, { executionId: 'wire-test', page: 1 })).toEqual(
      [],
    );
  } finally {
    await producer.disconnect();
  }
  records = await readTopic(topic);
});

afterAll(async () => {
  await dropSettlementTopics(topic);
});

describe('settlement records on the wire (real broker, real registry)', () => {
  it('are Confluent wire format: magic byte 0, the registered schema id as 4 bytes big-endian, then an Avro body', async () => {
    expect(records).toHaveLength(examples.length);
    const { status, body } = await registryHttp(`/schemas/ids/${schemaId}`);
    expect(status).toBe(200);
    const writer = avsc.Type.forSchema(JSON.parse(body.schema as string) as avsc.Schema);
    const byKey = new Map(examples.map((raw) => [(raw as { transactionKey: string }).transactionKey, raw]));
    for (const r of records) {
      const value = r.value as Buffer;
      expect(value[0]).toBe(0);
      expect(value.readInt32BE(1)).toBe(schemaId);
      const decoded = writer.fromBuffer(value.subarray(5)) as Settlement;
      expect({ ...decoded }).toEqual(expectedRecord(byKey.get(decoded.transactionKey)));
      expect(r.key).toBe(decoded.paymentKey);
    }
  });

  it('decode for a consumer that holds nothing but the registry URL', async () => {
    const stranger = new SchemaRegistry({ host: stack.registryUrl });
    const decoded = await Promise.all(records.map(async (r) => JSON.parse(JSON.stringify(await stranger.decode(r.value as Buffer))) as Settlement));
    expect(decoded.map((d) => d.transactionKey).sort()).toEqual(examples.map((e) => (e as { transactionKey: string }).transactionKey).sort());
    for (const d of decoded) expect(d).toEqual(expectedRecord(examples.find((e) => (e as { transactionKey: string }).transactionKey === d.transactionKey)));
  });

  it('are registered under <topic>-value with BACKWARD compatibility', async () => {
    expect((await registryHttp(`/subjects/${subject}/versions/latest`)).body).toMatchObject({ subject, id: schemaId, version: 1 });
    expect((await registryHttp(`/config/${subject}`)).body).toEqual({ compatibilityLevel: 'BACKWARD' });
  });

  it('cannot be broken by an incompatible schema (409), while a compatible evolution is accepted', async () => {
    const schema = JSON.parse(readSettlementSchema()) as { fields: unknown[] };
    const withField = (field: object) => JSON.stringify({ schema: JSON.stringify({ ...schema, fields: [...schema.fields, field] }) });

    // a new required field: readers on the new schema cannot read old records
    const refused = await registryHttp(`/subjects/${subject}/versions`, { method: 'POST', body: withField({ name: 'merchantTier', type: 'string' }) });
    expect(refused.status).toBe(409);
    await expect(
      SettlementSerde.register(
        createSchemaRegistry({ url: stack.registryUrl, username: null, password: null }),
        topic,
        JSON.stringify({ ...schema, fields: [...schema.fields, { name: 'merchantTier', type: 'string' }] }),
      ),
    ).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      category: 'data',
    });

    const accepted = await registryHttp(`/subjects/${subject}/versions`, {
      method: 'POST',
      body: withField({ name: 'merchantTier', type: ['null', 'string'], default: null }),
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.id).not.toBe(schemaId);
  });

  it("are marked as in the reader's layout by the consumer's decoder, whose rows from the bytes equal the rows from the objects; an older writer's are not", async () => {
    const registry = createSchemaRegistry({ url: stack.registryUrl, username: null, password: null });
    const decoder = new RegistrySettlementDecoder(registry);
    const rowsFromBytes = SettlementAvroRows.forSchema(readSettlementSchema());
    for (const r of records) {
      const value = r.value as Buffer;
      const settlement = await decoder.decode(value);
      expect(decoder.inReaderLayout(value)).toBe(true);
      // the ingest checks such a record by its rule fields alone: the same values as the whole decode
      const fields = decoder.decodeRuleFields(value);
      expect(fields && [fields.transactionKey, fields.approvedAt, fields.payOutAmount, fields.cancel?.transactionKey ?? null]).toEqual([
        settlement.transactionKey,
        settlement.approvedAt,
        settlement.payOutAmount,
        settlement.cancel?.transactionKey ?? null,
      ]);
      const approvedAtMs = parseOffsetDateTime(settlement.approvedAt) as number;
      const fast = new TsvWriter(64);
      expect(rowsFromBytes?.write(fast, value, 5, approvedAtMs)).toBe(true);
      const general = new TsvWriter(64);
      general.values(toSettlementRow(settlement, { topic, partition: 0, offset: 0, timestamp: 0 }, approvedAtMs).slice(0, DATA_COLUMNS.length));
      expect(fast.text().toString('utf8')).toBe(general.text().toString('utf8').slice(0, -1) + '\t');
    }
    // a value written with the first schema version (fewer fields) is resolved by avsc, never copied byte for byte
    const v1 = readFileSync(new URL('../../fixtures/schemas/toss-settlement.v1.avsc', import.meta.url), 'utf8');
    const olderTopic = uniqueName('settle.it.wire-v1');
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: v1 }, { subject: subjectFor(olderTopic) });
    const older = avsc.Type.forSchema(JSON.parse(v1) as avsc.Schema);
    const sample = (await decoder.decode(records[0]?.value as Buffer)) as unknown as Record<string, unknown>;
    const fields = (JSON.parse(v1) as { fields: Array<{ name: string }> }).fields;
    const body = older.toBuffer(Object.fromEntries(fields.map((f) => [f.name, sample[f.name] ?? null])));
    const header = Buffer.alloc(5);
    header.writeInt32BE(id, 1);
    const olderValue = Buffer.concat([header, body]);
    expect((await decoder.decode(olderValue)).transactionKey).toBe(sample.transactionKey);
    expect(decoder.inReaderLayout(olderValue)).toBe(false);
    expect(decoder.decodeRuleFields(olderValue)).toBeNull(); // decoded whole, resolved by avsc
  });
});
