import { createSettlementProducer } from './kafka-client.js';
import type { Kafka, Message } from 'kafkajs';
import { SettleError } from '../../domain/shared/settle-error.js';
import { originalHeaders, REDRIVEN_FROM_HEADER } from './dlq-headers.js';
import type { DlqRecord } from './dlq-reader.js';

/**
 * Re-publishes dead letters to their original topic: the original key and value bytes, the original headers
 * and the ORIGINAL timestamp, so the "newer record wins" rule still sees the redriven record as the old
 * version it is (a newer version of the row that arrived meanwhile is not overwritten).
 */
export async function redrive(kafka: Kafka, dlq: string, records: readonly DlqRecord[]): Promise<number> {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    if (!r.info) continue;
    const message: Message = {
      key: r.key,
      value: r.value,
      timestamp: String(r.info.originalTimestamp),
      headers: { ...originalHeaders(r.headers), [REDRIVEN_FROM_HEADER]: `${dlq}:${r.partition}:${r.offset}` },
    };
    byTopic.set(r.info.originalTopic, [...(byTopic.get(r.info.originalTopic) ?? []), message]);
  }
  if (byTopic.size === 0) return 0;
  const producer = createSettlementProducer(kafka);
  try {
    await producer.connect();
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    return [...byTopic.values()].reduce((n, ms) => n + ms.length, 0);
  } catch (error) {
    throw new SettleError('DLQ_REDRIVE_FAILED', `could not re-publish dead letters: ${(error as Error).message}`, { cause: error });
  } finally {
    await producer.disconnect();
  }
}
