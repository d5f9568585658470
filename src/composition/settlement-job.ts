import { hostname } from 'node:os';
import type { SettlementPublisher } from '../application/settlement/ports.js';
import { RunSettlementJob, type JobProgress } from '../application/settlement/run-settlement-job.js';
import { systemClock } from '../application/shared/log.js';
import type { Config } from '../infrastructure/config/config.js';
import { createKafka, createSettlementProducer } from '../infrastructure/kafka/kafka-client.js';
import { trackedConnections } from '../infrastructure/kafka/kafka-socket.js';
import { KafkaSettlementPublisher } from '../infrastructure/kafka/kafka-settlement-publisher.js';
import { createSchemaRegistry, SettlementSerde } from '../infrastructure/kafka/settlement-serde.js';
import { rejectsTopic, requireTopic } from '../infrastructure/kafka/topic-admin.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { MySqlJobRepository } from '../infrastructure/mysql/mysql-job-repository.js';
import { createMySqlConnection, createMySqlPool } from '../infrastructure/mysql/mysql-pool.js';
import { MySqlStoredSettlementLookup } from '../infrastructure/mysql/mysql-settlement-queries.js';
import { ChangeCountingPublisher } from '../application/settlement/change-counting-publisher.js';
import { translateMySqlError } from '../infrastructure/mysql/mysql-errors.js';
import { wireSettlementPageReader } from './toss-settlements.js';
import type { Wired } from './wired.js';

/**
 * kafkajs on the calling thread: one V8 isolate. Two pages stay in flight (the next page is fetched, validated and
 * encoded while kafkajs waits for this one's acks). Until issue 19 kafkajs ran on a worker thread; measured with
 * `npm run bench -- --rows 300000 --raw-methods= --json` on 2 shared cores, one isolate against two: peak RSS
 * 223-238 MB against 318-346 MB, CPU 40-42 µs/row against 41-49, produce rows/s within the noise
 * (docs/performance.md, "The producer's memory"). A second isolate costs its own heap, young generation and copy of
 * the modules, and on two cores it bought no speed, so the thread was removed.
 */
const PAGES_IN_FLIGHT = 2;

export interface WiredSettlementJob extends Wired<RunSettlementJob> {
  /** With `countChanges` (replays): how the published rows compare with what MySQL held before each page. */
  readonly changes: ChangeCountingPublisher | null;
  /**
   * Releases what the wiring opened. Once `abandon` aborts (a shutdown deadline: the pages in flight were given up)
   * the producer is not waited for: its disconnect is left to the exit.
   */
  close(abandon?: AbortSignal): Promise<void>;
}

export async function wireSettlementJob(
  config: Config,
  logger: Logger,
  options: { dryRun: boolean; concurrency: number; progress?: JobProgress; countChanges?: boolean },
): Promise<WiredSettlementJob> {
  const closers: Array<(abandon?: AbortSignal) => Promise<void>> = [];
  const close = async (abandon?: AbortSignal) => {
    for (const c of [...closers].reverse()) await c(abandon).catch(() => undefined);
  };
  try {
    const pages = wireSettlementPageReader(config, logger, options.concurrency);
    closers.push(() => pages.close());
    const reader = pages.value;
    let publisher: SettlementPublisher | null = null;
    if (!options.dryRun) {
      // tracked connections: a request that times out closes the stalled ones (closeStalledOnTimeout)
      const connections = trackedConnections();
      const kafka = createKafka(config.kafka, logger, '-producer', { socketFactory: connections.socketFactory });
      const topic = config.kafka.topic;
      await requireTopic(kafka, topic);
      await requireTopic(kafka, rejectsTopic(topic));
      const serde = await SettlementSerde.register(createSchemaRegistry(config.registry), topic);
      const producer = createSettlementProducer(kafka, { connections, logger });
      await producer.connect();
      closers.push((abandon) => unlessAbandoned(producer.disconnect(), abandon));
      publisher = new KafkaSettlementPublisher(producer, serde, topic, rejectsTopic(topic));
    }
    let changes: ChangeCountingPublisher | null = null;
    if (publisher && options.countChanges) {
      const pool = createMySqlPool(config.mysql, 2);
      closers.push(() => pool.end());
      publisher = changes = new ChangeCountingPublisher(publisher, new MySqlStoredSettlementLookup(pool, config.mysql.queryTimeoutMs));
    }
    // the claim's connection: every statement under MYSQL_QUERY_TIMEOUT_MS, so a stalled MySQL fails the run (exit 4) instead of hanging it
    const conn = options.dryRun ? null : await createMySqlConnection(config.mysql, { queryTimeoutMs: config.mysql.queryTimeoutMs }).catch(translateMySqlError);
    const jobs = conn ? new MySqlJobRepository(conn) : dryRunJobs;
    const job = new RunSettlementJob({
      reader,
      source: pages.source,
      publisher: publisher ?? noPublisher,
      jobs,
      clock: systemClock,
      log: logger.child({ component: 'settlement-job' }),
      host: hostname(),
      pid: process.pid,
      pagesInFlight: PAGES_IN_FLIGHT,
      ...(options.progress ? { progress: options.progress } : {}),
    });
    return { value: job, close, changes };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `work`, or done as soon as `abandon` aborts (the work goes on unobserved; the process is on its way out). */
function unlessAbandoned(work: Promise<void>, abandon: AbortSignal | undefined): Promise<void> {
  if (!abandon) return work;
  if (abandon.aborted) {
    work.catch(() => undefined);
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    abandon.addEventListener('abort', () => resolve(), { once: true });
    work.then(resolve, reject);
  });
}

const refuse = () => Promise.reject(new Error('dry run: nothing is published or checkpointed'));
const noPublisher: SettlementPublisher = {
  page: () => ({ add: () => undefined, send: refuse }),
  publishRejects: refuse,
};
const dryRunJobs = { start: refuse, checkpoint: refuse, heartbeat: refuse, finish: refuse, release: () => Promise.resolve() };
