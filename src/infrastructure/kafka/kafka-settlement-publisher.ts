import { CompressionTypes, type Producer } from 'kafkajs';
import type { PublishMeta, SettlementPublisher } from '../../application/settlement/ports.js';
import type { RejectedSettlement, Settlement } from '../../domain/settlement/settlement.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import type { SettlementSerde } from './settlement-serde.js';

export const HEADER_EXECUTION_ID = 'settle-execution-id';
export const HEADER_PAGE = 'settle-page';

/**
 * One Kafka record per settlement row: key paymentKey (a payment's approval and cancels stay ordered on one
 * partition), value Avro through the registry, headers naming the execution and page. `send` resolves only
 * when every in-sync replica has the page (acks = all), and only then does the job checkpoint it.
 */
export class KafkaSettlementPublisher implements SettlementPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly serde: SettlementSerde,
    private readonly topic: string,
    private readonly rejectsTopic: string,
  ) {}

  async publish(rows: readonly Settlement[], meta: PublishMeta): Promise<void> {
    if (rows.length === 0) return;
    const headers = { [HEADER_EXECUTION_ID]: meta.executionId, [HEADER_PAGE]: String(meta.page) };
    const messages = await Promise.all(rows.map(async (row) => ({ key: row.paymentKey, value: await this.serde.encode(row), headers })));
    await this.send(this.topic, messages);
  }

  async publishRejects(rejects: readonly RejectedSettlement[], meta: PublishMeta): Promise<void> {
    if (rejects.length === 0) return;
    const headers = { [HEADER_EXECUTION_ID]: meta.executionId, [HEADER_PAGE]: String(meta.page) };
    // Rejects are JSON, not Avro: by definition they do not fit the schema.
    const messages = rejects.map((r) => ({ key: r.transactionKey, value: JSON.stringify({ field: r.field, reason: r.reason, row: r.raw }), headers }));
    await this.send(this.rejectsTopic, messages);
  }

  private async send(topic: string, messages: Array<{ key: string | null; value: Buffer | string; headers: Record<string, string> }>): Promise<void> {
    try {
      await this.producer.send({ topic, messages, acks: -1, timeout: 30_000, compression: CompressionTypes.None });
    } catch (error) {
      throw new SettleError('KAFKA_PUBLISH_FAILED', `publishing to ${topic} failed: ${(error as Error).message}`, { category: 'transient', cause: error });
    }
  }
}
