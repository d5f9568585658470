import type { Kafka } from 'kafkajs';
import type { Config } from '../../src/infrastructure/config/config.js';
import { createKafka } from '../../src/infrastructure/kafka/kafka-client.js';
import { RegistrySettlementDecoder } from '../../src/infrastructure/kafka/settlement-decoder.js';
import { createSchemaRegistry } from '../../src/infrastructure/kafka/settlement-serde.js';
import { ensureTopics, rejectsTopic, settlementTopics } from '../../src/infrastructure/kafka/topic-admin.js';
import type { Settlement } from '../../src/domain/settlement/settlement.js';
import { silentLogger, stack, uniqueName } from './producer-stack.js';

export const kafkaSection = (topic: string): Config['kafka'] => ({
  brokers: stack.brokers.split(','),
  clientId: 'settle-test',
  topic,
  partitions: 3,
  ssl: false,
  sasl: null,
});

export const testKafka = (topic = 'unused'): Kafka => createKafka(kafkaSection(topic), silentLogger(), '-test');

/** The settlements topic with its DLQ and rejects topics, as `settle kafka init` would create them. */
export async function createSettlementTopics(topic: string, partitions = 3): Promise<void> {
  await ensureTopics(testKafka(topic), settlementTopics(topic, partitions));
}

export async function deleteTopics(topics: readonly string[]): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const have = new Set(await admin.listTopics());
    const present = topics.filter((t) => have.has(t));
    if (present.length) await admin.deleteTopics({ topics: present });
  } finally {
    await admin.disconnect();
  }
}

/** Removes the topic's value subject from the registry (soft, then permanent), so test runs leave nothing. */
export async function deleteSubject(topic: string): Promise<void> {
  for (const permanent of ['', '?permanent=true'])
    await fetch(`${stack.registryUrl}/subjects/${topic}-value${permanent}`, { method: 'DELETE' }).catch(() => undefined);
}

/** Topics and registry subject of a test file. */
export async function dropSettlementTopics(topic: string): Promise<void> {
  await deleteTopics(settlementTopicNames(topic));
  await deleteSubject(topic);
}

export const settlementTopicNames = (topic: string): string[] => [topic, `${topic}.dlq`, rejectsTopic(topic)];

export interface TopicRecord<V> {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: V;
}

/** Offsets past the end of each partition now: what a reader must reach to have seen everything. */
export async function highWatermarks(topic: string): Promise<Map<number, number>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

export async function countRecords(topic: string): Promise<number> {
  return [...(await highWatermarks(topic)).values()].reduce((a, b) => a + b, 0);
}

/** Every record of the topic as it stands now (up to each partition's high watermark), in a fresh group. */
export async function readTopic(topic: string, timeoutMs = 60_000): Promise<Array<TopicRecord<Buffer | null>>> {
  const targets = new Map([...(await highWatermarks(topic))].filter(([, high]) => high > 0));
  if (targets.size === 0) return [];
  const kafka = testKafka(topic);
  const groupId = uniqueName('settle-test-reader');
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const records: Array<TopicRecord<Buffer | null>> = [];
  const reached = new Set<number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${records.length} records of ${topic}, partitions still behind`)), timeoutMs);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          const high = targets.get(batch.partition) ?? 0;
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            if (offset >= high) continue;
            const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
            records.push({ partition: batch.partition, offset, key: m.key?.toString() ?? null, headers, value: m.value });
            if (offset + 1 >= high) reached.add(batch.partition);
          }
          if (reached.size === targets.size) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return records;
}

/** The settlements topic decoded by a reader that holds only the registry URL. */
export async function readSettlements(topic: string): Promise<Array<TopicRecord<Settlement>>> {
  const decoder = new RegistrySettlementDecoder(createSchemaRegistry({ url: stack.registryUrl, username: null, password: null }));
  const out: Array<TopicRecord<Settlement>> = [];
  // JSON round trip: avsc hands out record class instances, the assertions compare plain objects
  for (const r of await readTopic(topic)) out.push({ ...r, value: JSON.parse(JSON.stringify(await decoder.decode(r.value as Buffer))) as Settlement });
  return out;
}

export interface RejectRecord {
  readonly field: string;
  readonly reason: string;
  readonly row: Record<string, unknown>;
}

export async function readRejects(topic: string): Promise<Array<TopicRecord<RejectRecord>>> {
  return (await readTopic(rejectsTopic(topic))).map((r) => ({ ...r, value: JSON.parse(String(r.value)) as RejectRecord }));
}
