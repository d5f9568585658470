import { createIngestBatch, type IngestBatchDeps } from '../application/ingest/ingest-batch.js';
import type { Config } from '../infrastructure/config/config.js';
import type { ISocketFactory } from 'kafkajs';
import { createKafka, createSettlementProducer } from '../infrastructure/kafka/kafka-client.js';
import { KafkaDeadLetterSink } from '../infrastructure/kafka/kafka-dead-letter-sink.js';
import { type KafkaSettlementConsumerOptions, KafkaSettlementConsumer } from '../infrastructure/kafka/kafka-settlement-consumer.js';
import { RegistrySettlementDecoder } from '../infrastructure/kafka/settlement-decoder.js';
import { createSchemaRegistry, readSettlementSchema } from '../infrastructure/kafka/settlement-serde.js';
import { trackedConnections } from '../infrastructure/kafka/kafka-socket.js';
import { dlqTopic, requireTopic } from '../infrastructure/kafka/topic-admin.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { MySqlSettlementStore } from '../infrastructure/mysql/mysql-settlement-store.js';
import { SettlementAvroRows } from '../infrastructure/mysql/settlement-avro-rows.js';
import { createSettlementStorePool } from '../infrastructure/mysql/settlement-store-pool.js';

/**
 * The loader's adapters and its use case. The runner (presentation/consumer) drives them: it owns the
 * Kafka consumer group, the health endpoint and the shutdown order, and closes what this opens.
 */
export function wireIngest(
  config: Config,
  logger: Logger,
  options: { onRetry: NonNullable<IngestBatchDeps['onRetry']>; rowsPerStatement?: number; dial?: ISocketFactory },
) {
  // the consumer's connections are tracked: one whose request times out is closed (CONSUMER_REQUEST_TIMEOUT_MS)
  const connections = trackedConnections(options.dial);
  const kafka = createKafka(config.kafka, logger, '-consumer', {
    requestTimeoutMs: config.consumer.requestTimeoutMs,
    socketFactory: connections.socketFactory,
  });
  // one connection per partition in flight, plus one for offset reads and metrics
  const pool = createSettlementStorePool(config.mysql, Math.max(config.mysql.poolSize, config.consumer.concurrency + 1));
  const producer = createSettlementProducer(kafka, { connections, logger });
  // one reader schema for the decoder and for the rows the store writes straight from a record's bytes
  const schemaText = readSettlementSchema();
  const store = new MySqlSettlementStore(pool, {
    queryTimeoutMs: config.mysql.queryTimeoutMs,
    loadData: config.consumer.loadData,
    rowsFromBytes: SettlementAvroRows.forSchema(schemaText),
    ...(options.rowsPerStatement ? { rowsPerStatement: options.rowsPerStatement } : {}),
  });
  const ingest = createIngestBatch({
    decoder: new RegistrySettlementDecoder(createSchemaRegistry(config.registry), schemaText),
    store,
    deadLetters: new KafkaDeadLetterSink(producer),
    maxRetries: config.consumer.maxDbRetries,
    onRetry: options.onRetry,
  });
  // the settlements topic and its DLQ must exist (created by `settle kafka init`) before the loader joins the group
  const requireTopics = async () => {
    await requireTopic(kafka, config.kafka.topic);
    await requireTopic(kafka, dlqTopic(config.kafka.topic));
  };
  return { kafka, connections, pool, producer, store, ingest, requireTopics };
}

/** The loader's consumer group on the settlements topic, with the group timings from the configuration. */
export function wireSettlementConsumer(
  config: Config,
  logger: Logger,
  deps: Pick<KafkaSettlementConsumerOptions, 'kafka' | 'connections' | 'loadStoredOffsets' | 'handle' | 'onFatal' | 'onRecordsLost' | 'maxBytesPerPartition'>,
): KafkaSettlementConsumer {
  const { kafka: kc, consumer: cc } = config;
  return new KafkaSettlementConsumer({
    ...deps,
    topic: kc.topic,
    groupId: cc.groupId,
    concurrency: cc.concurrency,
    logger,
    sessionTimeoutMs: cc.sessionTimeoutMs,
    rebalanceTimeoutMs: cc.rebalanceTimeoutMs,
    heartbeatIntervalMs: cc.heartbeatIntervalMs,
  });
}
