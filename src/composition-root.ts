import { hostname } from 'node:os';
import type { Kafka, Producer } from 'kafkajs';
import { RunSettlementJob, type JobProgress } from './application/settlement/run-settlement-job.js';
import { systemClock } from './application/shared/log.js';
import type { Config } from './infrastructure/config/config.js';
import { createKafka } from './infrastructure/kafka/kafka-client.js';
import { KafkaSettlementPublisher } from './infrastructure/kafka/kafka-settlement-publisher.js';
import { Murmur2Partitioner } from './infrastructure/kafka/murmur2-partitioner.js';
import { createSchemaRegistry, SettlementSerde } from './infrastructure/kafka/settlement-serde.js';
import { rejectsTopic, requireTopic } from './infrastructure/kafka/topic-admin.js';
import type { Logger } from './infrastructure/logging/logger.js';
import { MySqlJobRepository } from './infrastructure/mysql/mysql-job-repository.js';
import { createMySqlConnection } from './infrastructure/mysql/mysql-pool.js';
import { toSettleError } from './infrastructure/mysql/mysql-errors.js';
import { PrefetchingPageReader } from './infrastructure/toss/prefetching-page-reader.js';
import { TossSettlementsClient } from './infrastructure/toss/toss-settlements-client.js';

/**
 * The one place that picks concrete adapters and wires them into use cases. Each builder returns the use
 * case plus a `close` that releases what it opened, in reverse order.
 */
export interface Wired<T> {
  readonly value: T;
  close(): Promise<void>;
}

export function createProducer(kafka: Kafka): Producer {
  // Our guarantees come from checkpoints and the idempotent upsert, not kafkajs's experimental idempotence.
  return kafka.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 5, createPartitioner: Murmur2Partitioner });
}

export async function wireSettlementJob(config: Config, logger: Logger, options: { dryRun: boolean; concurrency: number; progress?: JobProgress }): Promise<Wired<RunSettlementJob>> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const client = new TossSettlementsClient({ baseUrl: config.toss.baseUrl, secretKey: config.toss.secretKey, timeoutMs: config.toss.timeoutMs, maxRetries: config.toss.maxRetries, connections: options.concurrency, logger: logger.child({ component: 'toss' }) });
    closers.push(() => client.close());
    const reader = new PrefetchingPageReader(client, options.concurrency);
    let publisher: KafkaSettlementPublisher | null = null;
    if (!options.dryRun) {
      const kafka = createKafka(config.kafka, logger, '-producer');
      await requireTopic(kafka, config.kafka.topic);
      await requireTopic(kafka, rejectsTopic(config.kafka.topic));
      const serde = await SettlementSerde.register(createSchemaRegistry(config.registry), config.kafka.topic);
      const producer = createProducer(kafka);
      await producer.connect();
      closers.push(() => producer.disconnect());
      publisher = new KafkaSettlementPublisher(producer, serde, config.kafka.topic, rejectsTopic(config.kafka.topic));
    }
    const conn = options.dryRun ? null : await createMySqlConnection(config.mysql.url).catch((e: unknown) => Promise.reject(toSettleError(e)));
    const jobs = conn ? new MySqlJobRepository(conn) : dryRunJobs;
    const job = new RunSettlementJob({
      reader,
      publisher: publisher ?? noPublisher,
      jobs,
      clock: systemClock,
      log: logger.child({ component: 'settlement-job' }),
      host: hostname(),
      pid: process.pid,
      ...(options.progress ? { progress: options.progress } : {}),
    });
    return { value: job, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const refuse = () => Promise.reject(new Error('dry run: nothing is published or checkpointed'));
const noPublisher = { publish: refuse, publishRejects: refuse };
const dryRunJobs = { start: refuse, checkpoint: refuse, heartbeat: refuse, finish: refuse, release: () => Promise.resolve() };
