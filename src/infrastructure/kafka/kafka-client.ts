import { Kafka, logLevel, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { kafkaSocketFactory } from './kafka-socket.js';
import { KafkajsRetryLog } from './kafkajs-warnings.js';
import { Murmur2Partitioner } from './murmur2-partitioner.js';

const levelName: Record<number, 'error' | 'warn' | 'info' | 'debug'> = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug' };

/** kafkajs behind our factory: its logs go through pino, SASL/SSL from config. */
export function createKafka(kafka: Pick<Config['kafka'], 'brokers' | 'clientId' | 'ssl' | 'sasl'>, logger: Logger, clientIdSuffix = ''): Kafka {
  return new Kafka(kafkaClientConfig(kafka, logger, clientIdSuffix));
}

/** What createKafka hands to kafkajs (exported so tests can see exactly that config reach the wire). */
export function kafkaClientConfig(kafka: Pick<Config['kafka'], 'brokers' | 'clientId' | 'ssl' | 'sasl'>, logger: Logger, clientIdSuffix = ''): KafkaConfig {
  const log = logger.child({ component: 'kafkajs' });
  return {
    clientId: `${kafka.clientId}${clientIdSuffix}`,
    brokers: [...kafka.brokers],
    ...kafkaSecurity(kafka),
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    // a connection kafkajs closes is destroyed: late bytes from it must not reach its reconnected successor
    socketFactory: kafkaSocketFactory,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 30_000 },
    // kafkajs INFO is chatty (every join/leave): keep warnings and errors. Errors kafkajs is about to retry are
    // not errors of ours: KafkajsRetryLog logs them at debug, a warn when they persist, a line when they clear.
    logLevel: logLevel.WARN,
    logCreator: () => {
      const retries = new KafkajsRetryLog((level, fields, message) => log[level](fields, message));
      return ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        retries.entry(levelName[level] ?? 'info', message, rest);
      };
    },
  };
}

/**
 * TLS and SASL for every kafkajs client (also the doctor's): the SASL password is revealed only here. TLS
 * verifies the brokers against Node's CAs; a private CA is added with NODE_EXTRA_CA_CERTS.
 */
export function kafkaSecurity(kafka: Pick<Config['kafka'], 'ssl' | 'sasl'>): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!kafka.sasl) return { ssl: kafka.ssl };
  return { ssl: kafka.ssl, sasl: { mechanism: kafka.sasl.mechanism, username: kafka.sasl.username, password: kafka.sasl.password.reveal() } as KafkaConfig['sasl'] };
}

/** The settlement producer: keyed records partitioned like the Java client (murmur2). */
export function createSettlementProducer(kafka: Kafka): Producer {
  // Our guarantees come from checkpoints and the idempotent upsert, not kafkajs's experimental idempotence.
  return kafka.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 5, createPartitioner: Murmur2Partitioner });
}
