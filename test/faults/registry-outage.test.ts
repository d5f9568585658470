import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultStack, startService, stopService } from './support/fault-stack.js';
import { Scenario, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;

/** True when the registry refuses connections (it is down, not merely slow). */
async function registryDown(): Promise<boolean> {
  try {
    await fetch(`${faultStack.registryUrl}/subjects`, { signal: AbortSignal.timeout(10_000) });
    return false;
  } catch (error) {
    return /ECONNREFUSED/.test(String((error as { cause?: unknown }).cause ?? error));
  }
}

/** The consumer's log lines since `from` that say it is waiting for the registry and will try again. */
const registryRetries = (log: string, from: number): number =>
  log
    .slice(from)
    .split('\n')
    .filter((l) => /registry|REGISTRY/.test(l) && l.includes('retrying')).length;

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
    s.startConsumer();
    const total = s.expected.rows;
    // the producer held on a page 30% into the window (a state) while the consumer has loaded rows: both hold the schema
    const page = Math.ceil((0.3 * total) / ctx.pageSize);
    const held = ctx.toss.hold(page);
    const producing = s.produceUntilDone();
    await held;
    await waitFor('rows stored before the registry stops (the consumer has the schema)', async () => (await s.storedRecords()) > 0);
    await stopService('registry');
    const [published, stored] = [await s.publishedRows(), await s.storedRecords()];
    s.note(`registry stopped with page ${page} held: ${published} rows published, ${stored} stored`);
    ctx.toss.release();
    const codes = await producing;
    await waitFor('the consumer to catch up without the registry', () => s.caughtUp(), 600_000, 500);
    // everything after the stop was published and stored while the registry refused connections
    const stillDown = await registryDown();
    await startService('registry');
    expect(codes).toEqual([0]);
    s.hit(
      stillDown && published < total && stored < total
        ? `${total - published} rows published and ${total - stored} stored while the registry refused connections`
        : null,
      `registry down at the end: ${stillDown}; at the stop ${published} published, ${stored} stored of ${total}`,
    );
    expect(await s.finish()).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });

  it('5b: not yet cached: produce exits 4 and a rerun completes; a fresh consumer waits for the registry, nothing dead-lettered', async () => {
    // one rerun: the scenario's own, after the refused first run
    const s = new Scenario('5b registry down, nothing cached', ctx, { reruns: 1, restarts: 2 });
    await s.setup();
    await stopService('registry');
    const before = ctx.toss.requests.length;
    const first = await s.settle(s.produceArgs());
    expect(first.code).toBe(4);
    s.note(`produce with the registry down: exit ${first.code}, ${ctx.toss.requests.length - before} Toss requests`);
    await startService('registry');
    expect(await s.produceUntilDone()).toEqual([0]);

    await stopService('registry');
    const consumer = s.startConsumer();
    // waiting on its own retries, not a duration: two rounds of "retrying" while the registry is down
    await waitFor(
      'the consumer to report the registry unreachable and retry twice',
      () => registryRetries(consumer.log, 0) >= 2 || consumer.restarts >= 2,
      180_000,
    );
    const stored = await s.storedRecords();
    expect(stored).toBe(0);
    s.note(`fresh consumer with the registry down: ${stored} rows stored, ${registryRetries(consumer.log, 0)} retries logged`);
    expect(await registryDown()).toBe(true);
    await startService('registry');
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    const dlq = await s.dlqRecords();
    expect(dlq).toBe(0);
    expect(await s.finish('DLQ 0')).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });
});
