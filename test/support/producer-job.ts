import avsc from 'avsc';
import type { JobRepository } from '../../src/application/settlement/job-repository.js';
import { RunSettlementJob } from '../../src/application/settlement/run-settlement-job.js';
import { systemClock } from '../../src/application/shared/log.js';
import { createSettlementProducer as createProducer } from '../../src/infrastructure/kafka/kafka-client.js';
import type { PageCheckpoint } from '../../src/domain/batch/page-checkpoint.js';
import type { Settlement } from '../../src/domain/settlement/settlement.js';
import { validateSettlement } from '../../src/domain/settlement/validate-settlement.js';
import { Secret } from '../../src/infrastructure/config/secret.js';
import { fitToAvro } from '../../src/infrastructure/kafka/avro-fit.js';
import { KafkaSettlementPublisher } from '../../src/infrastructure/kafka/kafka-settlement-publisher.js';
import { createSchemaRegistry, readSettlementSchema, SettlementSerde } from '../../src/infrastructure/kafka/settlement-serde.js';
import { rejectsTopic } from '../../src/infrastructure/kafka/topic-admin.js';
import { MySqlJobRepository } from '../../src/infrastructure/mysql/mysql-job-repository.js';
import { createMySqlConnection } from '../../src/infrastructure/mysql/mysql-pool.js';
import { PrefetchingPageReader } from '../../src/infrastructure/toss/prefetching-page-reader.js';
import { TossSettlementsClient } from '../../src/infrastructure/toss/toss-settlements-client.js';
import { testKafka } from './producer-kafka.js';
import { silentLogger, stack } from './producer-stack.js';

export interface TestJobOptions {
  readonly tossUrl: string;
  readonly secretKey: string;
  readonly topic: string;
  readonly databaseUrl: string;
  readonly concurrency?: number;
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
  /** Pages handed to the publisher before the oldest is acknowledged (the CLI wires 2; default 1). */
  readonly pagesInFlight?: number;
}

export interface TestJob {
  readonly job: RunSettlementJob;
  /** Checkpoint calls as the real repository received them, in order. */
  readonly checkpoints: PageCheckpoint[];
  close(): Promise<void>;
}

/**
 * RunSettlementJob with the real adapters (Toss client → fake, Kafka publisher → local broker + registry,
 * MySQL job repository), with short timeouts and backoffs. One wiring runs once: the repository's
 * connection is released with the claim.
 */
export async function wireTestJob(o: TestJobOptions): Promise<TestJob> {
  const logger = silentLogger();
  const client = new TossSettlementsClient({
    baseUrl: o.tossUrl,
    secretKey: new Secret(o.secretKey),
    timeoutMs: o.timeoutMs ?? 1000,
    maxRetries: o.maxRetries ?? 3,
    baseDelayMs: 10,
    maxDelayMs: 300, // Retry-After is honoured up to 4 × this
    connections: o.concurrency ?? 2,
    logger,
  });
  const producer = createProducer(testKafka(o.topic));
  await producer.connect();
  const serde = await SettlementSerde.register(createSchemaRegistry({ url: stack.registryUrl, username: null, password: null }), o.topic);
  const repository = new MySqlJobRepository(await createMySqlConnection({ url: new Secret(o.databaseUrl), tls: null }));
  const checkpoints: PageCheckpoint[] = [];
  const jobs: JobRepository = {
    start: (r) => repository.start(r),
    checkpoint: async (cp, counts) => {
      checkpoints.push(cp);
      await repository.checkpoint(cp, counts);
    },
    heartbeat: (id) => repository.heartbeat(id),
    finish: (id, status, counts, error) => repository.finish(id, status, counts, error),
    release: () => repository.release(),
  };
  const job = new RunSettlementJob({
    reader: new PrefetchingPageReader(client, o.concurrency ?? 2),
    source: client,
    publisher: new KafkaSettlementPublisher(producer, serde, o.topic, rejectsTopic(o.topic)),
    jobs,
    clock: systemClock,
    log: logger,
    host: 'integration-test',
    pid: process.pid,
    pagesInFlight: o.pagesInFlight ?? 1,
  });
  return {
    job,
    checkpoints,
    async close() {
      await repository.release();
      await producer.disconnect();
      await client.close();
    },
  };
}

const type = avsc.Type.forSchema(JSON.parse(readSettlementSchema()) as avsc.Schema);

/** What a reader of the topic must see for a Toss row: the processor's normalization, shaped by the schema. */
export function expectedRecord(raw: unknown): Settlement {
  const result = validateSettlement(raw);
  if (!result.ok) throw new Error(`fixture row is invalid: ${result.rejection.reason}`);
  return fitToAvro(type, result.value) as Settlement;
}
