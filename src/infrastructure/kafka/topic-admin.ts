import type { Kafka } from 'kafkajs';
import { SettleError } from '../../domain/shared/settle-error.js';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries?: ReadonlyArray<{ name: string; value: string }>;
}

/** The three topics the product owns: settlements, its dead-letter queue and the producer's rejects. */
export const settlementTopics = (topic: string, partitions: number): TopicSpec[] => [
  { topic, numPartitions: partitions, configEntries: [{ name: 'min.insync.replicas', value: '1' }] },
  { topic: dlqTopic(topic), numPartitions: 1 },
  { topic: rejectsTopic(topic), numPartitions: 1 },
];
export const dlqTopic = (topic: string): string => `${topic}.dlq`;
export const rejectsTopic = (topic: string): string => `${topic}.rejects`;

export interface EnsureResult {
  readonly created: string[];
  readonly existing: Array<{ topic: string; partitions: number }>;
}

/** Creates missing topics (clients never auto-create) and reports existing ones; safe to run repeatedly. */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[], replicationFactor = -1): Promise<EnsureResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const have = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !have.has(s.topic));
    if (missing.length > 0)
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.numPartitions, replicationFactor, configEntries: [...(s.configEntries ?? [])] })),
      });
    const present = specs.filter((s) => have.has(s.topic)).map((s) => s.topic);
    const meta = present.length ? await admin.fetchTopicMetadata({ topics: present }) : { topics: [] };
    return { created: missing.map((s) => s.topic), existing: meta.topics.map((t) => ({ topic: t.name, partitions: t.partitions.length })) };
  } catch (error) {
    throw new SettleError('KAFKA_ADMIN_FAILED', `could not create topics: ${(error as Error).message}`, { cause: error });
  } finally {
    await admin.disconnect();
  }
}

/** Throws a usage error naming the topic when it does not exist (producers and consumers never create it). */
export async function requireTopic(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) throw new SettleError('TOPIC_MISSING', `topic ${topic} does not exist: run \`settle kafka init\``);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}
