import { afterAll, beforeAll } from 'vitest';
import { late } from './late.js';
import { requireBuild } from './producer-cli.js';
import { producerFixture, type ProducerFixture } from './producer-fixture.js';
import { stack } from './producer-stack.js';
import { startTossFake, type TossFake, type TossRow } from './toss-fake.js';

/** What an e2e file runs the built CLI against: the producer fixture, a Toss fake and the CLI's environment. */
export interface CliStack extends ProducerFixture {
  /** The file's Toss fake; usable from its `beforeAll` on (it is started there). */
  readonly fake: TossFake;
  /** The environment of every `settle` the file runs; filled in `beforeAll`. */
  readonly env: Record<string, string>;
}

export interface CliStackOptions {
  /** The rows the Toss fake serves (read in `beforeAll`). */
  readonly rows: () => readonly TossRow[];
  /** Added to the environment (Toss, Kafka, registry, MySQL and the topic are set). */
  readonly env?: () => Record<string, string>;
  readonly partitions?: number;
}

/**
 * Call at the top of an e2e file: requires the build, then creates the file's temp database (`settle_e2e_…`)
 * and topic, starts a Toss fake over `rows` and fills `env`; after the file, closes the fake and drops the rest.
 */
export function cliStack(topicPrefix: string, options: CliStackOptions): CliStack {
  beforeAll(() => requireBuild());
  const producer = producerFixture(topicPrefix, {
    databasePrefix: 'settle_e2e',
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
  });
  const { secretKey, topic, db } = producer;
  const fake = late<TossFake>('the Toss fake');
  const env: Record<string, string> = {};

  beforeAll(async () => {
    const started = fake.set(await startTossFake({ rows: options.rows(), secretKey }));
    Object.assign(env, {
      TOSS_API_BASE_URL: started.url,
      TOSS_SECRET_KEY: secretKey,
      KAFKA_BROKERS: stack.brokers,
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      MYSQL_URL: db.url,
      SETTLEMENT_TOPIC: topic,
      ...options.env?.(),
    });
  });

  // after hooks run in reverse (vitest's `sequence.hooks: 'stack'`): the fake closes before the database and topics go
  afterAll(async () => {
    await fake.current?.close();
  });

  return { secretKey, topic, db, fake: fake.value, env };
}
