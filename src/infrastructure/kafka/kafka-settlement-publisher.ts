import type { Producer } from 'kafkajs';
import type { OutgoingPage, PublishMeta, SettlementPublisher } from '../../application/settlement/ports.js';
import type { RejectedSettlement } from '../../domain/settlement/settlement.js';
import { PageEncoder, pageMessages, rejectMessages } from './encoded-page.js';
import { KafkaRecordSender } from './kafka-record-sender.js';
import type { SettlementSerde } from './settlement-serde.js';

export { HEADER_EXECUTION_ID, HEADER_PAGE } from './encoded-page.js';
export { bySize } from './kafka-record-sender.js';

export interface KafkaSettlementPublisherOptions {
  /** Bytes per produce call (see KafkaRecordSender). */
  readonly maxSendBytes?: number;
}

/**
 * One Kafka record per settlement row: key paymentKey (a payment's approval and cancels stay ordered on one
 * partition), value Avro through the registry, headers naming the execution and page. Resolves only when
 * every in-sync replica has the page (acks = all), and only then does the job checkpoint it. Sends keep the
 * order pages were handed over, so a key's records keep their order. Runs kafkajs on the calling thread (one
 * isolate: see composition/settlement-job.ts).
 */
export class KafkaSettlementPublisher implements SettlementPublisher {
  readonly #sender: KafkaRecordSender;

  constructor(
    producer: Producer,
    private readonly serde: SettlementSerde,
    private readonly topic: string,
    private readonly rejectsTopic: string,
    options: KafkaSettlementPublisherOptions = {},
  ) {
    this.#sender = new KafkaRecordSender(producer, options.maxSendBytes);
  }

  /**
   * A page encoded as its parts are added (`add` is done with the rows when it returns, so the caller's rows can die
   * young) and sent by `send`, which resolves with the rows the schema refused once the page is acknowledged.
   */
  page(meta: PublishMeta, expectedRows: number): OutgoingPage {
    const encoder = new PageEncoder(this.serde, expectedRows);
    let sent = false;
    const open = (): PageEncoder => {
      if (sent) throw new Error('a page cannot take rows once it is sent');
      return encoder;
    };
    return {
      add: (rows) => open().add(rows),
      addJson: (json, start, end) => open().addJson(json, start, end),
      send: () => {
        sent = true;
        const { page, unfit } = encoder.finish();
        if (page.bounds.length === 1) return Promise.resolve(unfit);
        return this.#sender.send(this.topic, pageMessages(page, meta)).then(() => unfit);
      },
    };
  }

  async publishRejects(rejects: readonly RejectedSettlement[], meta: PublishMeta): Promise<void> {
    if (rejects.length === 0) return;
    await this.#sender.send(this.rejectsTopic, rejectMessages(rejects, meta));
  }
}
