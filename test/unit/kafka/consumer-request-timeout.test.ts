import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KafkaSettlementConsumer } from '../../../src/infrastructure/kafka/kafka-settlement-consumer.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';
import { BROKER, E, fakeKafka } from '../../support/fake-kafkajs.js';

/** The consumer on fakes: a clock the test moves, connections that record what was closed, the log as JSON lines. */
async function started() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const { kafka, events } = fakeKafka();
  const clock = { now: 1_000_000 };
  const closed: Array<{ broker: string; since: number }> = [];
  const failureListeners: Array<(broker: string, error: Error) => void> = [];
  const consumer = new KafkaSettlementConsumer({
    kafka,
    topic: 't',
    groupId: 'g',
    concurrency: 1,
    logger: createLogger('info', { pretty: false, destination: out }),
    loadStoredOffsets: () => Promise.resolve(new Map([[0, 0]])),
    handle: () => Promise.resolve(true),
    onFatal: () => undefined,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    heartbeatIntervalMs: 3_000,
    now: () => clock.now,
    connections: {
      closeSilent: (broker, since) => {
        closed.push({ broker, since });
        return 2;
      },
      onFailure: (listener) => void failureListeners.push(listener),
    },
  });
  await consumer.start();
  const emit = (name: string, payload: object) => events.emit(name, { payload });
  const lines = async () => {
    await new Promise((r) => setImmediate(r));
    return text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  return { consumer, clock, closed, emit, lines, fail: (error: Error) => failureListeners.forEach((l) => l(BROKER, error)) };
}

describe('KafkaSettlementConsumer: a stalled Kafka connection is said, replaced and reflected in readiness', () => {
  it('is ready once joined, while no request timed out', async () => {
    const { consumer, emit } = await started();
    expect(consumer.ready).toBe(false);
    emit(E.GROUP_JOIN, { memberAssignment: { t: [0] } });
    expect(consumer.ready).toBe(true);
  });

  it('a timed-out request: one warning with how long the broker was silent, its silent connections closed, not ready until a fetch begun after it returns', async () => {
    const { consumer, clock, closed, emit, lines } = await started();
    emit(E.GROUP_JOIN, { memberAssignment: { t: [0] } });
    emit(E.REQUEST, { apiName: 'Heartbeat', broker: BROKER }); // the last answer, at 1,000,000
    const sentAt = clock.now + 2_000;
    clock.now += 32_100;
    emit(E.REQUEST_TIMEOUT, { apiName: 'Fetch', broker: BROKER, sentAt });
    expect(closed).toEqual([{ broker: BROKER, since: sentAt }]); // only what heard nothing since the request went out
    expect(consumer.ready).toBe(false);
    const warning = (await lines()).at(-1);
    expect(warning).toMatchObject({
      level: 40,
      client: 'consumer',
      api: 'Fetch',
      broker: BROKER,
      waitedMs: 30_100,
      stalledMs: 32_100,
      closedConnections: 2,
      ready: false,
    });
    expect(warning?.msg).toMatch(
      /^Kafka request timed out: Fetch to 127\.0\.0\.1:9092, nothing heard from it for 32 s: 2 stalled connections closed, kafkajs reconnects; not ready until a fetch succeeds$/,
    );

    // an answer alone (a heartbeat on the new connection) is not a fetch
    emit(E.REQUEST, { apiName: 'Heartbeat', broker: BROKER });
    expect(consumer.ready).toBe(false);
    clock.now += 300;
    emit(E.FETCH_START, { nodeId: 1 });
    clock.now += 700;
    emit(E.FETCH, { nodeId: 1, numberOfBatches: 0, duration: 700 });
    expect(consumer.ready).toBe(true);
    expect((await lines()).at(-1)).toMatchObject({
      level: 30,
      downMs: 1_000,
      ready: true,
      msg: 'Kafka reachable again: a fetch succeeded 1 s after the consumer went not ready',
    });
  });

  it('a fetch that was in flight before the timeout does not make it ready again', async () => {
    const { consumer, clock, emit } = await started();
    emit(E.GROUP_JOIN, { memberAssignment: { t: [0] } });
    emit(E.FETCH_START, { nodeId: 2 });
    clock.now += 30_000;
    emit(E.REQUEST_TIMEOUT, { apiName: 'Heartbeat', broker: BROKER, sentAt: clock.now - 30_000 });
    emit(E.FETCH, { nodeId: 2, numberOfBatches: 0, duration: 30_000 });
    expect(consumer.ready).toBe(false);
  });

  it("the admin's timed-out requests (watermarks) close silent connections too", async () => {
    const { closed, clock, emit, lines } = await started();
    emit(E.ADMIN_REQUEST_TIMEOUT, { apiName: 'ListOffsets', broker: BROKER, sentAt: clock.now - 30_000 });
    expect(closed).toEqual([{ broker: BROKER, since: clock.now - 30_000 }]);
    expect((await lines()).at(-1)).toMatchObject({ level: 40, client: 'admin', api: 'ListOffsets' });
  });

  it('a failed connection or a kafkajs restart takes readiness down once (one warning), until a fetch succeeds', async () => {
    const { consumer, clock, emit, lines, fail } = await started();
    emit(E.GROUP_JOIN, { memberAssignment: { t: [0] } });
    fail(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' }));
    fail(new Error('connect ECONNREFUSED 127.0.0.1:9092'));
    expect(consumer.ready).toBe(false);
    const warnings = (await lines()).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ broker: BROKER, err: 'connect ECONNREFUSED 127.0.0.1:9092', ready: false });
    clock.now += 5_000;
    emit(E.FETCH_START, { nodeId: 1 });
    emit(E.FETCH, { nodeId: 1, numberOfBatches: 0, duration: 1 });
    expect(consumer.ready).toBe(true);
    emit(E.CRASH, { error: new Error('KafkaJSNumberOfRetriesExceeded'), restart: true });
    expect(consumer.ready).toBe(false);
    expect((await lines()).at(-1)).toMatchObject({ level: 40, msg: expect.stringMatching(/^consumer not ready: kafkajs restarts the consumer/) });
  });
});
