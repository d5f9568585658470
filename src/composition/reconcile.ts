import { ReconcileWindow } from '../application/settlement/reconcile-window.js';
import { systemClock } from '../application/shared/log.js';
import type { Config } from '../infrastructure/config/config.js';
import { createKafka } from '../infrastructure/kafka/kafka-client.js';
import { KafkaPublishedSnapshot } from '../infrastructure/kafka/kafka-published-snapshot.js';
import { RegistrySettlementDecoder } from '../infrastructure/kafka/settlement-decoder.js';
import { createSchemaRegistry } from '../infrastructure/kafka/settlement-serde.js';
import { requireTopic } from '../infrastructure/kafka/topic-admin.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { createMySqlPool } from '../infrastructure/mysql/mysql-pool.js';
import { MySqlPublishingExecutions } from '../infrastructure/mysql/mysql-publishing-executions.js';
import { MySqlReconciliationLog } from '../infrastructure/mysql/mysql-reconciliation-log.js';
import { MySqlStoreSnapshot } from '../infrastructure/mysql/mysql-store-snapshot.js';
import { TossApiSnapshot } from '../infrastructure/toss/toss-api-snapshot.js';
import { wireSettlementPageReader } from './toss-settlements.js';
import type { Wired } from './wired.js';

/** Reconcile: the Toss API, what completed jobs published to Kafka, and MySQL, side by side. */
export async function wireReconcile(config: Config, logger: Logger): Promise<Wired<ReconcileWindow>> {
  const pool = createMySqlPool(config.mysql, 3);
  const reader = wireSettlementPageReader(config, logger, config.toss.concurrency);
  const close = async () => {
    await reader.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
  };
  try {
    const kafka = createKafka(config.kafka, logger, '-reconcile');
    await requireTopic(kafka, config.kafka.topic);
    const value = new ReconcileWindow({
      api: new TossApiSnapshot(reader.value, config.toss.pageSize),
      executions: new MySqlPublishingExecutions(pool),
      kafka: new KafkaPublishedSnapshot({
        kafka,
        topic: config.kafka.topic,
        decoder: new RegistrySettlementDecoder(createSchemaRegistry(config.registry)),
        logger: logger.child({ component: 'reconcile-kafka' }),
      }),
      store: new MySqlStoreSnapshot(pool),
      reconciliations: new MySqlReconciliationLog(pool),
      clock: systemClock,
      log: logger.child({ component: 'reconcile' }),
    });
    return { value, close };
  } catch (error) {
    await close();
    throw error;
  }
}
