import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';

export const BROKER = '127.0.0.1:9092';
export const E = {
  GROUP_JOIN: 'consumer.group_join',
  CRASH: 'consumer.crash',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  ADMIN_REQUEST_TIMEOUT: 'admin.network.request_timeout',
} as const;

/**
 * kafkajs's consumer and admin reduced to what KafkaSettlementConsumer touches, driven by the test's events. `seeks`
 * records every seek, `disconnected` whether the consumer was disconnected.
 */
export function fakeKafka() {
  const events = new EventEmitter();
  const seeks: Array<{ partition: number; offset: string }> = [];
  const state = { disconnected: false };
  const consumer = {
    events: { GROUP_JOIN: E.GROUP_JOIN, CRASH: E.CRASH, REQUEST: E.REQUEST, REQUEST_TIMEOUT: E.REQUEST_TIMEOUT, FETCH_START: E.FETCH_START, FETCH: E.FETCH },
    on: (name: string, listener: (e: unknown) => void) => events.on(name, listener),
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: () => Promise.resolve(),
    seek: (s: { partition: number; offset: string }) => void seeks.push({ partition: s.partition, offset: s.offset }),
    disconnect: () => {
      state.disconnected = true;
      return Promise.resolve();
    },
  };
  const admin = {
    events: { REQUEST_TIMEOUT: E.ADMIN_REQUEST_TIMEOUT },
    on: (name: string, listener: (e: unknown) => void) => events.on(name, listener),
    connect: () => Promise.resolve(),
    fetchTopicOffsets: () => Promise.resolve([{ partition: 0, low: '0', high: '0', offset: '0' }]),
    disconnect: () => Promise.resolve(),
  };
  return { kafka: { consumer: () => consumer, admin: () => admin } as unknown as Kafka, events, seeks, state };
}
