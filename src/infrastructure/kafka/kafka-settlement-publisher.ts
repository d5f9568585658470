import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import type { PublishMeta, SettlementPublisher } from '../../application/settlement/ports.js';
import type { RejectedSettlement, Settlement } from '../../domain/settlement/settlement.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import type { SettlementSerde } from './settlement-serde.js';

export const HEADER_EXECUTION_ID = 'settle-execution-id';
export const HEADER_PAGE = 'settle-page';

export interface KafkaSettlementPublisherOptions {
  /**
   * Bytes per produce call. kafkajs puts all of a call's records for one partition into one record batch,
   * and brokers refuse batches over message.max.bytes (1 MB by default): a 5,000-row page (~1.3 MB of Avro,
   * ~5 MB of rejected JSON) on few partitions would be refused whole.
   */
  readonly maxSendBytes?: number;
}

const RECORD_OVERHEAD_BYTES = 96; // record framing and our two headers

/**
 * One Kafka record per settlement row: key paymentKey (a payment's approval and cancels stay ordered on one
 * partition), value Avro through the registry, headers naming the execution and page. Resolves only when
 * every in-sync replica has the page (acks = all), and only then does the job checkpoint it. Calls for one
 * page are sent one after another, so a key's records keep their order.
 */
export class KafkaSettlementPublisher implements SettlementPublisher {
  readonly #maxSendBytes: number;

  constructor(
    private readonly producer: Producer,
    private readonly serde: SettlementSerde,
    private readonly topic: string,
    private readonly rejectsTopic: string,
    options: KafkaSettlementPublisherOptions = {},
  ) {
    this.#maxSendBytes = options.maxSendBytes ?? 900 * 1024;
  }

  async publish(rows: readonly Settlement[], meta: PublishMeta): Promise<RejectedSettlement[]> {
    if (rows.length === 0) return [];
    const headers = metaHeaders(meta);
    const values = this.serde.encodeBatch(rows);
    const messages: Message[] = [];
    const unfit: RejectedSettlement[] = [];
    values.forEach((value, i) => {
      const row = rows[i] as Settlement;
      if (Buffer.isBuffer(value)) messages.push({ key: Buffer.from(row.paymentKey), value, headers });
      else unfit.push({ raw: row, transactionKey: row.transactionKey, field: '(avro)', reason: `row ${value.unfit}` });
    });
    await this.send(this.topic, messages);
    return unfit;
  }

  async publishRejects(rejects: readonly RejectedSettlement[], meta: PublishMeta): Promise<void> {
    if (rejects.length === 0) return;
    const headers = metaHeaders(meta);
    // Rejects are JSON, not Avro: by definition they do not fit the schema.
    const messages = rejects.map((r) => ({ key: r.transactionKey, value: JSON.stringify({ field: r.field, reason: r.reason, row: r.raw }), headers }));
    await this.send(this.rejectsTopic, messages);
  }

  private async send(topic: string, messages: readonly Message[]): Promise<void> {
    for (const chunk of bySize(messages, this.#maxSendBytes)) {
      try {
        await this.producer.send({ topic, messages: chunk, acks: -1, timeout: 30_000, compression: CompressionTypes.None });
      } catch (error) {
        throw new SettleError('KAFKA_PUBLISH_FAILED', `publishing to ${topic} failed: ${(error as Error).message}`, { category: 'transient', cause: error });
      }
    }
  }
}

const metaHeaders = (meta: PublishMeta): Record<string, Buffer> => ({ [HEADER_EXECUTION_ID]: Buffer.from(meta.executionId), [HEADER_PAGE]: Buffer.from(String(meta.page)) });

const byteLength = (v: Message['value'] | Message['key']): number => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

/** Consecutive runs of messages of at most maxBytes (a single larger message goes alone). */
export function* bySize(messages: readonly Message[], maxBytes: number): Generator<Message[]> {
  let chunk: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = byteLength(m.value) + byteLength(m.key) + RECORD_OVERHEAD_BYTES;
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(m);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
