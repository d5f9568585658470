import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type IHeaders, type RecordMetadata } from 'kafkajs';
import { faultStack } from './fault-stack.js';
import { waitFor } from './scenario.js';

/** A kafkajs client on the suite's broker, for records the scenarios write or read themselves (not settle's). */
export const suiteKafka = (clientId: string): Kafka => new Kafka({ clientId, brokers: [faultStack.brokers], logLevel: logLevel.NOTHING });

export interface ReadRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** Records in `topic` now: Σ high watermarks over its partitions. */
export async function recordsIn(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Every record of `topic` (read from the beginning in a throwaway group until the log's current end). */
export async function readAll(kafka: Kafka, topic: string): Promise<ReadRecord[]> {
  const total = await recordsIn(kafka, topic);
  if (total === 0) return [];
  const groupId = `fault-suite-reader-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? ({} as IHeaders)).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));
        records.push({ partition, offset: Number(message.offset), key: message.key, value: message.value, headers });
      },
    });
    await waitFor(`all ${total} records of ${topic}`, () => records.length >= total, 120_000);
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return records;
}

/** Where one single-record send landed. */
export const landedAt = (meta: readonly RecordMetadata[]): { partition: number; offset: number } => {
  const [m] = meta;
  if (!m || meta.length !== 1) throw new Error(`expected one record's metadata, got ${JSON.stringify(meta)}`);
  return { partition: m.partition, offset: Number(m.baseOffset) };
};
