import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import { SettleError } from '../../domain/shared/settle-error.js';

const RECORD_OVERHEAD_BYTES = 96; // record framing and our two headers

/**
 * Sends record lists one produce call after another (acks = all), in the order they were handed over, even
 * when the job hands over the next page before the previous one is acknowledged: a key's records keep their
 * order across pages. Once a send fails every later one fails with it, so nothing after a failed page lands.
 */
export class KafkaRecordSender {
  #tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly producer: Producer,
    /**
     * Bytes per produce call. kafkajs puts all of a call's records for one partition into one record batch,
     * and brokers refuse batches over message.max.bytes (1 MB by default): a 5,000-row page (~1.3 MB of Avro,
     * ~5 MB of rejected JSON) on few partitions would be refused whole.
     */
    private readonly maxSendBytes = 900 * 1024,
  ) {}

  send(topic: string, messages: Iterable<Message>): Promise<void> {
    const sent = this.#tail.then(() => this.#sendNow(topic, messages));
    this.#tail = sent;
    return sent;
  }

  /** Resolves once everything handed over so far was answered (acknowledged or failed). */
  settled(): Promise<void> {
    return this.#tail.then(
      () => undefined,
      () => undefined,
    );
  }

  async #sendNow(topic: string, messages: Iterable<Message>): Promise<void> {
    for (const chunk of bySize(messages, this.maxSendBytes)) {
      try {
        await this.producer.send({ topic, messages: chunk, acks: -1, timeout: 30_000, compression: CompressionTypes.None });
      } catch (error) {
        throw new SettleError('KAFKA_PUBLISH_FAILED', `publishing to ${topic} failed: ${(error as Error).message}`, { cause: error });
      }
    }
  }
}

const byteLength = (v: Message['value'] | Message['key']): number => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

/** Consecutive runs of messages of at most maxBytes (a single larger message goes alone). */
export function* bySize(messages: Iterable<Message>, maxBytes: number): Generator<Message[]> {
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
