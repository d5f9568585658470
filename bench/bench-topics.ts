import type { Kafka } from 'kafkajs';
import { subjectFor } from '../src/infrastructure/kafka/settlement-serde.js';
import { ensureTopics, settlementTopics } from '../src/infrastructure/kafka/topic-admin.js';

/**
 * Creates a bench's settlement topics (with their DLQ and rejects topics) and returns what removes them again:
 * the topics, then the value subject in the registry (soft, then permanent delete).
 */
export async function createBenchTopics(kafka: Kafka, topic: string, partitions: number, registryUrl: string): Promise<() => Promise<void>> {
  const topics = settlementTopics(topic, partitions);
  await ensureTopics(kafka, topics);
  return async () => {
    const a = kafka.admin();
    await a.connect();
    await a.deleteTopics({ topics: topics.map((t) => t.topic) }).finally(() => a.disconnect());
    for (const permanent of ['', '?permanent=true'])
      await fetch(`${registryUrl}/subjects/${subjectFor(topic)}${permanent}`, { method: 'DELETE' }).catch(() => undefined);
  };
}
