import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopService } from './support/fault-stack.js';
import { KAFKA_TROUBLE, lineMatching, Scenario, sleep, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;
/** The broker stays down at least this long (the 10–20 s), and in any case until the process met it. */
const MIN_OUTAGE_MS = 10_000;
/** How long a process may take to show it met the dead broker: a hang guard, not a speed target. */
const NOTICE_GUARD_MS = 420_000;

describe('faults 3: the Kafka broker stopped mid-run and restarted', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => {
    await startService('kafka');
    await ctx?.close();
  });

  it('3a: during produce: the producer finishes or exits 4 and a rerun resumes; the consumer rides it out', async () => {
    // a rerun after each exit 4 while the broker is down (each gives up after kafkajs's retries), then one that completes
    const s = new Scenario('3a broker down during produce', ctx, { reruns: 4, restarts: 2 });
    await s.setup();
    s.startConsumer();
    const total = s.expected.rows;
    // the producer is held on a page 30% into the window (a state): pages before it are published, none after
    const page = Math.ceil((0.3 * total) / ctx.pageSize);
    const held = ctx.toss.hold(page);
    const producer = s.liveProducer();
    await held;
    const before = await waitFor('rows published before the held page', async () => (await s.publishedRows()) || null);
    const mark = producer.log.length;
    const exitsBefore = producer.codes.length;
    await stopService('kafka');
    const stoppedAt = Date.now();
    s.note(`broker stopped with page ${page} held, ${before} rows published (${Math.round((100 * before) / total)}%)`);
    ctx.toss.release();
    const evidence = await waitFor(
      'the producer to meet the dead broker (a Kafka connection error or an exit 4)',
      () => lineMatching(producer.log, mark, KAFKA_TROUBLE) ?? (producer.codes.slice(exitsBefore).includes(4) ? 'exit 4' : null),
      NOTICE_GUARD_MS,
      250,
    );
    await sleep(Math.max(0, stoppedAt + MIN_OUTAGE_MS - Date.now()));
    const atRestart = await s.publishedRows();
    await startService('kafka');
    const codes = await producer.done;
    expect(codes.at(-1)).toBe(0);
    expect(codes.slice(0, -1).every((c) => c === 4)).toBe(true);
    // published before the fault, met it, and published again once the broker was back
    s.hit(
      atRestart < total && before > 0 ? `producer met it: ${evidence}; ${total - atRestart} rows published after the restart` : null,
      `the producer had published ${atRestart} of ${total} rows by the restart`,
    );
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish(`produce exits ${codes.join(',')}`)).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });

  it('3b: during consume: the consumer keeps running or exits 4 and its restart catches up', async () => {
    const s = new Scenario('3b broker down during consume', ctx, { restarts: 3 });
    await s.setup();
    expect(await s.produceUntilDone()).toEqual([0]);
    const consumer = s.startConsumer();
    const total = s.expected.rows;
    let mark = 0;
    let restartsBefore = 0;
    let stoppedAt = 0;
    const before = await s.injectAt(
      'broker stopped',
      () => s.storedRecords(),
      Math.floor(total * 0.3),
      total,
      async () => {
        mark = consumer.log.length;
        restartsBefore = consumer.restarts;
        await stopService('kafka');
        stoppedAt = Date.now();
      },
    );
    const evidence = await waitFor(
      'the consumer to meet the dead broker (a Kafka connection error or an exit 4)',
      () => lineMatching(consumer.log, mark, KAFKA_TROUBLE) ?? (consumer.restarts > restartsBefore ? 'exit 4' : null),
      NOTICE_GUARD_MS,
      250,
    );
    await sleep(Math.max(0, stoppedAt + MIN_OUTAGE_MS - Date.now()));
    const atRestart = await s.storedRecords();
    await startService('kafka');
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    // stored before the fault, met it, and stored again once the broker was back
    s.hit(
      before > 0 && atRestart < total ? `consumer met it: ${evidence}; ${total - atRestart} rows stored after the restart` : null,
      `the consumer had stored ${atRestart} of ${total} rows by the restart`,
    );
    expect(await s.finish()).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });
});
