import type { Producer } from 'kafkajs';
import type { DeadLetter, DeadLetterSink } from '../../application/ingest/ports.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { deadLetterHeaders } from './dlq-headers.js';
import { dlqTopic } from './topic-admin.js';

/**
 * DeadLetterSink on `<topic>.dlq`: the original key and value bytes, untouched, with headers naming the
 * original position and the reason. acks=all: a dead letter must be durable before the offset moves past it.
 */
export class KafkaDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly producer: Producer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(letters: readonly DeadLetter[]): Promise<void> {
    const byTopic = new Map<string, DeadLetter[]>();
    for (const l of letters) byTopic.set(l.topic, [...(byTopic.get(l.topic) ?? []), l]);
    const at = this.now();
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, ls]) => ({
          topic: dlqTopic(topic),
          messages: ls.map((l) => ({ key: l.record.key, value: l.record.value, headers: deadLetterHeaders(l, at) })),
        })),
      });
    } catch (error) {
      throw new SettleError('DLQ_PUBLISH_FAILED', `could not publish ${letters.length} dead letter(s): ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
