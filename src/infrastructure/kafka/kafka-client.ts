import { type ISocketFactory, Kafka, logLevel, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { type KafkaConnections, kafkaSocketFactory } from './kafka-socket.js';
import { KafkajsRetryLog } from './kafkajs-warnings.js';
import { Murmur2Partitioner } from './murmur2-partitioner.js';

const levelName: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs's and the Java client's request timeout: what every client but the consumer's uses. */
export const DEFAULT_KAFKA_REQUEST_TIMEOUT_MS = 30_000;

export interface KafkaClientOptions {
  /**
   * How long a request may go unanswered (kafkajs enforces it, checking every 100 ms). A fetch waits at least its
   * long-poll wait plus 100 ms and a JoinGroup the rebalance timeout plus 5 s, whatever this says.
   */
  readonly requestTimeoutMs?: number;
  /** How broker connections are opened (default: settle's socket factory); the consumer's tracks them. */
  readonly socketFactory?: ISocketFactory;
}

/** kafkajs behind our factory: its logs go through pino, SASL/SSL from config. */
export function createKafka(
  kafka: Pick<Config['kafka'], 'brokers' | 'clientId' | 'ssl' | 'sasl'>,
  logger: Logger,
  clientIdSuffix = '',
  options: KafkaClientOptions = {},
): Kafka {
  return new Kafka(kafkaClientConfig(kafka, logger, clientIdSuffix, options));
}

/** What createKafka hands to kafkajs (exported so tests can see exactly that config reach the wire). */
export function kafkaClientConfig(
  kafka: Pick<Config['kafka'], 'brokers' | 'clientId' | 'ssl' | 'sasl'>,
  logger: Logger,
  clientIdSuffix = '',
  options: KafkaClientOptions = {},
): KafkaConfig {
  const log = logger.child({ component: 'kafkajs' });
  return {
    clientId: `${kafka.clientId}${clientIdSuffix}`,
    brokers: [...kafka.brokers],
    ...kafkaSecurity(kafka),
    connectionTimeout: 10_000,
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_KAFKA_REQUEST_TIMEOUT_MS,
    // kafkajs's default, stated: without it a request on a stalled connection waits for ever
    enforceRequestTimeout: true,
    // a connection kafkajs closes is destroyed: late bytes from it must not reach its reconnected successor
    socketFactory: options.socketFactory ?? kafkaSocketFactory,
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
  return {
    ssl: kafka.ssl,
    sasl: { mechanism: kafka.sasl.mechanism, username: kafka.sasl.username, password: kafka.sasl.password.reveal() } as KafkaConfig['sasl'],
  };
}

/**
 * The settlement producer: keyed records partitioned like the Java client (murmur2). With `stalls` (the client's
 * tracked connections), a request that times out closes that broker's silent connections (closeStalledOnTimeout).
 */
export function createSettlementProducer(
  kafka: Kafka,
  stalls?: { readonly connections: Pick<KafkaConnections, 'closeSilent'>; readonly logger: Logger },
): Producer {
  // Our guarantees come from checkpoints and the idempotent upsert, not kafkajs's experimental idempotence.
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 5, createPartitioner: Murmur2Partitioner });
  if (stalls) closeStalledOnTimeout(producer, stalls.connections, stalls.logger, 'producer');
  return producer;
}

/**
 * kafkajs never closes a connection whose request timed out: it sends the retry down the same socket, and on a
 * stalled or half-open path every retry times out again until its retries are spent (minutes). This closes, at
 * the first timeout, every connection to that broker that has heard nothing since the request went out; kafkajs
 * takes it for a failed connection and reconnects for its retry. The consumer does the same and also tracks its
 * readiness (kafka-settlement-consumer.ts).
 */
export function closeStalledOnTimeout(client: Producer, connections: Pick<KafkaConnections, 'closeSilent'>, logger: Logger, name: string): void {
  client.on(client.events.REQUEST_TIMEOUT, ({ payload: e }) => {
    const waitedMs = Date.now() - e.sentAt;
    const closed = connections.closeSilent(e.broker, e.sentAt, `no answer from ${e.broker} to ${e.apiName} in ${waitedMs} ms: connection closed by settle`);
    logger.warn(
      { client: name, api: e.apiName, broker: e.broker, waitedMs, closedConnections: closed },
      `Kafka request timed out: ${e.apiName} to ${e.broker} after ${Math.round(waitedMs / 1000)} s: ${closed} stalled connection${closed === 1 ? '' : 's'} closed, kafkajs reconnects`,
    );
  });
}
