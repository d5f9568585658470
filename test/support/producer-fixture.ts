import { afterAll, beforeAll } from 'vitest';
import { createSettlementTopics, dropSettlementTopics } from './producer-kafka.js';
import { late } from './late.js';
import { createTempDatabase, testSecretKey, uniqueName, type TempDatabase } from './producer-stack.js';

/** What a producer integration file runs against: its own Toss secret key, settlement topics and migrated database. */
export interface ProducerFixture {
  readonly secretKey: string;
  readonly topic: string;
  /** The file's temp database; usable from its `beforeAll` on (it is created there). */
  readonly db: TempDatabase;
}

/**
 * Call at the top of a test file: a unique topic `<topicPrefix>_…` (with its DLQ and rejects topics) and a temp
 * database are created before the file's tests and dropped after them.
 */
export function producerFixture(topicPrefix: string, options: { partitions?: number; databasePrefix?: string } = {}): ProducerFixture {
  const secretKey = testSecretKey();
  const topic = uniqueName(topicPrefix);
  const db = late<TempDatabase>('the producer fixture’s database');

  beforeAll(async () => {
    db.set(await createTempDatabase(options.databasePrefix));
    await createSettlementTopics(topic, options.partitions ?? 3);
  });

  afterAll(async () => {
    await db.current?.drop();
    await dropSettlementTopics(topic);
  });

  return { secretKey, topic, db: db.value };
}
