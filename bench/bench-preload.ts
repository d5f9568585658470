import { createSettlementProducer } from '../src/infrastructure/kafka/kafka-client.js';
import type { Kafka } from 'kafkajs';
import type { SettlementSerde } from '../src/infrastructure/kafka/settlement-serde.js';
import { syntheticSettlement } from '../test/support/synthetic-settlements.js';

/**
 * Publishes `count` synthetic settlements (keyed by paymentKey, Avro through the registry) in chunks, a few
 * sends in flight, never holding more than one chunk per send in memory.
 */
export async function preloadSettlements(
  kafka: Kafka,
  serde: SettlementSerde,
  topic: string,
  count: number,
  prefix: string,
  onProgress?: (done: number) => void,
): Promise<void> {
  const producer = createSettlementProducer(kafka);
  await producer.connect();
  const chunk = 5_000;
  const inFlight = 3;
  try {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const from = next;
        const to = Math.min(count, from + chunk);
        next = to;
        const messages = [];
        for (let i = from; i < to; i++) {
          const s = syntheticSettlement(i, prefix);
          messages.push({ key: s.paymentKey, value: await serde.encode(s) });
        }
        await producer.send({ topic, acks: -1, messages });
        onProgress?.(to);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    await producer.disconnect();
  }
}
