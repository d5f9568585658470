import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopService } from './support/fault-stack.js';
import { Scenario, sleep, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;
const OUTAGE_MS = 15_000; // the broker stays down 10–20 s (the figure), then starts again

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
    const s = new Scenario('3a broker down during produce', ctx);
    await s.setup();
    const consumer = s.startConsumer();
    const producing = s.produceUntilDone();
    await s.injectAt('broker stopped', () => s.publishedRows(), Math.floor(s.expected.rows * 0.25), s.expected.rows, () => stopService('kafka'));
    await sleep(OUTAGE_MS);
    await startService('kafka');
    const codes = await producing;
    expect(codes.at(-1)).toBe(0);
    expect(codes.slice(0, -1).every((c) => c === 4)).toBe(true);
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish(`produce exits ${codes.join(',')}; consumer restarts ${consumer.restarts}`)).toMatchObject({ lost: 0, duplicated: 0, result: 'PASS' });
  });

  it('3b: during consume: the consumer keeps running or exits 4 and its restart catches up', async () => {
    const s = new Scenario('3b broker down during consume', ctx);
    await s.setup();
    expect(await s.produceUntilDone()).toEqual([0]);
    const consumer = s.startConsumer();
    await s.injectAt('broker stopped', () => s.storedRecords(), Math.floor(s.expected.rows * 0.3), s.expected.rows, () => stopService('kafka'));
    await sleep(OUTAGE_MS);
    await startService('kafka');
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish(`consumer restarts ${consumer.restarts}`)).toMatchObject({ lost: 0, duplicated: 0, result: 'PASS' });
  });
});
