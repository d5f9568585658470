import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopService } from './support/fault-stack.js';
import { Scenario, sleep, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;

describe('faults 5: the schema registry stopped', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => {
    await startService('registry');
    await ctx?.close();
  });

  it('5a: during produce and consume, schemas already cached: both keep going', async () => {
    const s = new Scenario('5a registry down, schemas cached', ctx);
    await s.setup();
    const consumer = s.startConsumer();
    const producing = s.produceUntilDone();
    await s.injectAt('registry stopped', () => s.storedRecords(), Math.floor(s.expected.rows * 0.15), s.expected.rows, () => stopService('registry'));
    const codes = await producing;
    await waitFor('the consumer to catch up without the registry', () => s.caughtUp(), 600_000, 500);
    await startService('registry');
    expect(codes).toEqual([0]);
    expect(consumer.restarts).toBe(0);
    expect(await s.finish('produce exit 0 and consumer caught up while the registry was down')).toMatchObject({ lost: 0, duplicated: 0, result: 'PASS' });
  });

  it('5b: not yet cached: produce exits 4 and a rerun completes; a fresh consumer waits for the registry, nothing dead-lettered', async () => {
    const s = new Scenario('5b registry down, nothing cached', ctx);
    await s.setup();
    await stopService('registry');
    const before = ctx.toss.requests();
    const first = await s.settle(s.produceArgs());
    expect(first.code).toBe(4);
    s.note(`produce with the registry down: exit ${first.code}, ${ctx.toss.requests() - before} Toss requests`);
    await startService('registry');
    expect(await s.produceUntilDone()).toEqual([0]);

    await stopService('registry');
    const consumer = s.startConsumer();
    await waitFor('the consumer to report the registry unreachable and retry', () => /registry|REGISTRY/.test(consumer.log) && consumer.log.includes('retrying'), 180_000);
    const stored = await s.storedRecords();
    s.note(`fresh consumer with the registry down: ${stored} rows stored, retrying`);
    await sleep(10_000);
    await startService('registry');
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    const dlq = await s.dlqRecords();
    expect(dlq).toBe(0);
    expect(await s.finish(`consumer restarts ${consumer.restarts}; DLQ 0`)).toMatchObject({ lost: 0, duplicated: 0, result: 'PASS' });
  });
});
