import { describe, expect, it } from 'vitest';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { KafkaSettlementConsumer } from '../../../src/infrastructure/kafka/kafka-settlement-consumer.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';
import { E, fakeKafka } from '../../support/fake-kafkajs.js';

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A join starts the seek to the stored offsets (MySQL, then the log's watermarks). SIGTERM can come while it is under
 * way: right after a member appears in the group, as `settle replay --kafka` refusing a live group shows, and under
 * load the seek takes a while. The stop must not turn the seek's end into a fatal error (exit 4 instead of 0).
 */
async function joinedWithPendingSeek() {
  const { kafka, events, seeks } = fakeKafka();
  const stored = deferred<Map<number, number>>();
  const fatal: unknown[] = [];
  const consumer = new KafkaSettlementConsumer({
    kafka,
    topic: 't',
    groupId: 'g',
    concurrency: 1,
    logger: createLogger('silent', { pretty: false }),
    loadStoredOffsets: () => stored.promise,
    handle: () => Promise.resolve(true),
    onFatal: (e) => void fatal.push(e),
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    heartbeatIntervalMs: 3_000,
  });
  await consumer.start();
  events.emit(E.GROUP_JOIN, { payload: { memberAssignment: { t: [0] } } });
  const settled = () => new Promise((r) => setTimeout(r, 0));
  return { consumer, stored, fatal, seeks, settled };
}

describe('KafkaSettlementConsumer: a stop during the seek that follows a join', () => {
  it('the stored offsets arriving after the stop: no seek, no fatal error', async () => {
    const { consumer, stored, fatal, seeks, settled } = await joinedWithPendingSeek();
    await consumer.stop();
    stored.resolve(new Map([[0, 0]]));
    await settled();
    expect(seeks).toEqual([]);
    expect(fatal).toEqual([]);
  });

  it('the stored offsets failing after the stop (the connection going with it): no fatal error', async () => {
    const { consumer, stored, fatal, settled } = await joinedWithPendingSeek();
    await consumer.stop();
    stored.reject(new SettleError('MYSQL_CONNECTION_CLOSED', 'connection closed'));
    await settled();
    expect(fatal).toEqual([]);
  });

  it('without a stop, the seek happens, and a failure that is not retriable is still fatal', async () => {
    const ok = await joinedWithPendingSeek();
    ok.stored.resolve(new Map([[0, 0]]));
    await ok.settled();
    expect(ok.seeks).toEqual([{ partition: 0, offset: '0' }]);
    expect(ok.fatal).toEqual([]);

    const failing = await joinedWithPendingSeek();
    failing.stored.reject(new SettleError('MYSQL_QUERY_FAILED', 'the server refused the query'));
    await failing.settled();
    expect(failing.fatal).toHaveLength(1);
    expect(failing.fatal[0]).toMatchObject({ code: 'MYSQL_QUERY_FAILED' });
  });
});
