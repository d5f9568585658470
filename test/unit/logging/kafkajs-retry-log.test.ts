import { logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaClientConfig } from '../../../src/infrastructure/kafka/kafka-client.js';
import { KafkajsRetryLog, retriableCondition } from '../../../src/infrastructure/kafka/kafkajs-warnings.js';

/** A hand-driven clock: `schedule` keeps the timers, `advance` fires those due. */
function fakeClock() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  return {
    now: () => now,
    schedule: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return t;
    },
    cancel: (t: unknown) => void ((t as { live: boolean }).live = false),
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.live && t.at <= now);
      timers = timers.filter((t) => !due.includes(t));
      for (const t of due) t.fn();
    },
  };
}

const COORDINATOR = 'The group coordinator is not available';
// what kafkajs's connection.js logs when a response carries an error (here: a consumer joining a new group)
const coordinatorEntry = { broker: '127.0.0.1:9092', clientId: 'settle', error: COORDINATOR, correlationId: 3, size: 30 };

function recorder() {
  const lines: Array<[string, string, Record<string, unknown>]> = [];
  const clock = fakeClock();
  const retries = new KafkajsRetryLog((level, fields, message) => lines.push([level, message, fields]), clock);
  return { lines, clock, retries, levels: () => lines.map(([l, m]) => `${l} ${m}`) };
}

describe('retriableCondition', () => {
  it('knows the protocol errors kafkajs retries by their message, and the network failures it reconnects from', () => {
    expect(retriableCondition('Response FindCoordinator(key: 10, version: 2)', { error: COORDINATOR })).toBe(COORDINATOR);
    expect(
      retriableCondition('Response Produce(key: 0, version: 7)', {
        error: 'There is no leader for this topic-partition as we are in the middle of a leadership election',
      }),
    ).not.toBeNull();
    expect(retriableCondition('Connection error: connect ECONNREFUSED 127.0.0.1:9092', {})).toBe('Connection error');
    expect(retriableCondition('Failed to connect to broker, reconnecting', { retryCount: 1 })).toBe('Failed to connect to broker, reconnecting');
  });

  it('leaves errors kafkajs does not retry, and its crashes, as they are', () => {
    expect(retriableCondition('Response CreateTopics(key: 19, version: 3)', { error: 'Topic authorization failed' })).toBeNull();
    expect(
      retriableCondition('Response Fetch(key: 1, version: 11)', { error: 'The requested offset is not within the range of offsets maintained by the server' }),
    ).toBeNull();
    expect(retriableCondition('Crash: KafkaJSNumberOfRetriesExceeded: The group coordinator is not available', { error: COORDINATOR })).toBeNull();
  });
});

describe('KafkajsRetryLog', () => {
  it('a retriable error that clears at once: debug lines only, no error, no warning', () => {
    const r = recorder();
    r.retries.entry('error', 'Response JoinGroup(key: 11, version: 5)', coordinatorEntry);
    r.clock.advance(3_000);
    expect(r.levels()).toEqual(['debug Response JoinGroup(key: 11, version: 5)', `debug Kafka: ${COORDINATOR}: recovered after 1 retry`]);
    expect(r.lines[0]?.[2]).toMatchObject({ retriable: true, occurrence: 1, error: COORDINATOR });
  });

  it('warns once when it persists, with the count, and says when it recovered', () => {
    const r = recorder();
    for (let i = 0; i < 5; i++) {
      r.retries.entry('error', 'Response JoinGroup(key: 11, version: 5)', coordinatorEntry);
      r.clock.advance(500);
    }
    r.clock.advance(3_000);
    const shown = r.lines.filter(([level]) => level !== 'debug');
    expect(shown.map(([l, m]) => `${l} ${m}`)).toEqual([
      `warn Kafka: ${COORDINATOR}: kafkajs is retrying (3 times so far)`,
      `warn Kafka: ${COORDINATOR}: recovered after 5 retries`,
    ]);
    expect(shown[1]?.[2]).toEqual({ condition: COORDINATOR, retries: 5, forMs: 2_000 });
    expect(r.lines.some(([level]) => level === 'error')).toBe(false);
  });

  it('warns when a single slow retry lasts 5 s', () => {
    const r = recorder();
    r.retries.entry('error', 'Response JoinGroup', coordinatorEntry);
    r.clock.advance(2_900);
    r.retries.entry('error', 'Response JoinGroup', coordinatorEntry);
    r.clock.advance(2_900);
    r.retries.entry('error', 'Response JoinGroup', { ...coordinatorEntry });
    expect(r.lines.filter(([l]) => l === 'warn')).toHaveLength(1);
  });

  it('when kafkajs gives up: one error line naming the condition and the retries, and the crash stays an error', () => {
    const r = recorder();
    r.retries.entry('error', 'Response JoinGroup', coordinatorEntry);
    r.retries.entry('error', 'Response JoinGroup', coordinatorEntry);
    r.retries.entry('error', `Crash: KafkaJSNumberOfRetriesExceeded: ${COORDINATOR}`, { groupId: 'g', retryCount: 8 });
    r.clock.advance(10_000);
    expect(r.lines.filter(([l]) => l !== 'debug').map(([l, m]) => `${l} ${m}`)).toEqual([
      `error Kafka: ${COORDINATOR}: kafkajs gave up after 2 retries`,
      `error Crash: KafkaJSNumberOfRetriesExceeded: ${COORDINATOR}`,
    ]);
  });

  it('passes other entries at their level', () => {
    const r = recorder();
    r.retries.entry('error', 'Response CreateTopics(key: 19, version: 3)', { error: 'Topic authorization failed' });
    r.retries.entry('warn', 'The group is rebalancing, re-joining', { groupId: 'g' });
    expect(r.levels()).toEqual(['error Response CreateTopics(key: 19, version: 3)', 'warn The group is rebalancing, re-joining']);
  });
});

describe('the kafkajs client config', () => {
  it('routes kafkajs entries through the rule into our logger', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const config = kafkaClientConfig({ brokers: ['127.0.0.1:9092'], clientId: 'settle', ssl: false, sasl: null }, logger);
    const log = config.logCreator?.(logLevel.WARN);
    log?.({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 't', logger: 'kafkajs', message: 'Response JoinGroup(key: 11, version: 5)', ...coordinatorEntry },
    });
    log?.({
      namespace: 'Admin',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 't', logger: 'kafkajs', message: 'Response CreateTopics(key: 19, version: 3)', error: 'Topic authorization failed' },
    });
    expect(lines.map((l) => [l.level, l.component, l.msg])).toEqual([
      [20, 'kafkajs', 'Response JoinGroup(key: 11, version: 5)'],
      [50, 'kafkajs', 'Response CreateTopics(key: 19, version: 3)'],
    ]);
  });
});
