import { parentPort, workerData } from 'node:worker_threads';
import { SettleError } from '../../domain/shared/settle-error.js';
import { Secret } from '../config/secret.js';
import { createLogger } from '../logging/logger.js';
import { createKafka, createSettlementProducer } from './kafka-client.js';
import { trackedConnections } from './kafka-socket.js';
import { metaHeaders, pageMessages } from './encoded-page.js';
import { KafkaRecordSender } from './kafka-record-sender.js';
import type { FromProducerThread, ProducerThreadSetup, ToProducerThread } from './producer-thread-protocol.js';
import { silenceKafkajsTimeoutWarning } from './kafkajs-warnings.js';

silenceKafkajsTimeoutWarning();

/**
 * The producer thread behind WorkerSettlementPublisher: owns the kafkajs producer, turns each encoded page
 * into records (views, no copy) and sends them in arrival order, answering each request once acknowledged.
 */
const port = parentPort;
if (!port) throw new Error('producer-thread runs as a worker thread only');
const setup = workerData as ProducerThreadSetup;
const logger = createLogger(setup.logLevel, { pretty: false });
const { sasl, ...kafka } = setup.kafka;
// tracked connections: a request that times out closes the stalled ones (kafkajs would retry on them for minutes)
const connections = trackedConnections();
const client = createKafka({ ...kafka, sasl: sasl ? { ...sasl, password: new Secret(sasl.password) } : null }, logger, '-producer', { socketFactory: connections.socketFactory });
const producer = createSettlementProducer(client, { connections, logger });
const post = (message: FromProducerThread) => port.postMessage(message);
const failure = (id: number | null, error: unknown): FromProducerThread => {
  const e = error instanceof SettleError ? error : new SettleError('KAFKA_PUBLISH_FAILED', (error as Error).message ?? String(error), { category: 'transient' });
  return { kind: 'failed', id, code: e.code, message: e.message, retriable: e.retriable };
};

try {
  await producer.connect();
  const sender = new KafkaRecordSender(producer, setup.maxSendBytes);
  port.on('message', (m: ToProducerThread) => {
    if (m.kind === 'close') {
      void sender
        .settled()
        .then(() => producer.disconnect())
        .finally(() => port.close());
      return;
    }
    const messages = m.kind === 'page' ? pageMessages(m.page, m.meta) : m.records.map((r) => ({ ...r, headers: metaHeaders(m.meta) }));
    sender.send(m.topic, messages).then(
      () => post({ kind: 'acked', id: m.id }),
      (error: unknown) => post(failure(m.id, error)),
    );
  });
  post({ kind: 'ready' });
} catch (error) {
  post(failure(null, error));
  await producer.disconnect().catch(() => undefined);
  port.close();
}
