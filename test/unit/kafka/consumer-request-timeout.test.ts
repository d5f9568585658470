import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaSettlementConsumer } from '../../../src/infrastructure/kafka/kafka-settlement-consumer.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';

/** kafkajs's consumer and admin reduced to what KafkaSettlementConsumer.start() touches. */
function fakeKafka() {
  const events = new EventEmitter();
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', REQUEST_TIMEOUT: 'consumer.network.request_timeout' },
    on: (name: string, listener: (e: unknown) => void) => events.on(name, listener),
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
  };
  const admin = { connect: () => Promise.resolve(), disconnect: () => Promise.resolve() };
  return { kafka: { consumer: () => consumer, admin: () => admin } as unknown as Kafka, events };
}

describe('KafkaSettlementConsumer: a Kafka request that times out is logged when it happens', () => {
  it('logs a warning naming the request and the broker (kafkajs itself says nothing until its retries are spent)', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const { kafka, events } = fakeKafka();
    const consumer = new KafkaSettlementConsumer({
      kafka,
      topic: 't',
      groupId: 'g',
      concurrency: 1,
      logger: createLogger('info', { pretty: false, destination: out }),
      loadStoredOffsets: () => Promise.resolve(new Map()),
      handle: () => Promise.resolve(true),
      onFatal: () => undefined,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      heartbeatIntervalMs: 3_000,
    });
    await consumer.start();
    events.emit('consumer.network.request_timeout', { payload: { apiName: 'Fetch', broker: '127.0.0.1:9092', sentAt: Date.now() - 30_000 } });
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, api: 'Fetch', broker: '127.0.0.1:9092', msg: 'Kafka request timed out: Fetch to 127.0.0.1:9092' });
    expect(line.waitedMs).toBeGreaterThanOrEqual(30_000);
  });
});
