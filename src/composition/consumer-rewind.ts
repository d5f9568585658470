import type { Config } from '../infrastructure/config/config.js';
import { KafkaConsumerGroupOffsets, type PartitionOffset } from '../infrastructure/kafka/consumer-group-offsets.js';
import { createKafka } from '../infrastructure/kafka/kafka-client.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { createMySqlPool } from '../infrastructure/mysql/mysql-pool.js';
import { setStoredOffsets } from '../infrastructure/mysql/mysql-stored-offsets.js';
import type { Wired } from './wired.js';

export type { PartitionOffset };

/** `replay --kafka`: the loader group's offsets in Kafka (for lag) and in MySQL (where the consumer seeks to). */
export interface ConsumerRewind {
  readonly group: string;
  readonly topic: string;
  liveMembers(): Promise<number>;
  offsetsAt(at: number): Promise<PartitionOffset[]>;
  /** The stored offsets in MySQL, on a connection opened for it and closed after. */
  setStoredOffsets(plan: readonly PartitionOffset[]): Promise<void>;
  setGroupOffsets(plan: readonly PartitionOffset[]): Promise<void>;
}

/** Connects the Kafka admin client; `close` disconnects it. */
export async function wireConsumerRewind(config: Config, logger: Logger): Promise<Wired<ConsumerRewind>> {
  const group = config.consumer.groupId;
  const topic = config.kafka.topic;
  const offsets = new KafkaConsumerGroupOffsets(createKafka(config.kafka, logger), group, topic);
  await offsets.connect();
  return {
    value: {
      group,
      topic,
      liveMembers: () => offsets.liveMembers(),
      offsetsAt: (at) => offsets.offsetsAt(at),
      setStoredOffsets: async (plan) => {
        const pool = createMySqlPool(config.mysql, 1);
        try {
          await setStoredOffsets(pool, group, topic, plan);
        } finally {
          await pool.end();
        }
      },
      setGroupOffsets: (plan) => offsets.setOffsets(plan),
    },
    close: () => offsets.disconnect(),
  };
}
