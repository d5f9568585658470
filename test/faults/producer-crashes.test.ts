import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scenario, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;

describe('faults 2: producers killed and doubled', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => ctx?.close());

  it('2a: the producer SIGKILLed mid-window, then rerun: it resumes after its last checkpoint', async () => {
    // one rerun: the scenario's own, after the kill
    const s = new Scenario('2a producer SIGKILL, rerun', ctx, { reruns: 1 });
    await s.setup();
    s.startConsumer();
    const first = s.start(s.produceArgs());
    await s.injectAt(
      'producer SIGKILL',
      () => s.publishedRows(),
      Math.floor(s.expected.rows * 0.3),
      s.expected.rows,
      () => void first.child.kill('SIGKILL'),
    );
    expect((await first.done).signal).toBe('SIGKILL');
    expect(await s.produceUntilDone()).toEqual([0]);
    const [resumed] = await s.query<{ resumed_from: number | null }>("SELECT resumed_from FROM job_executions WHERE status = 'COMPLETED'");
    expect(resumed?.resumed_from).not.toBeNull();
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish('the rerun resumed the killed execution')).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });

  it('2b: the same window started twice at once: the second exits 5, nothing doubled', async () => {
    // the second run is the fault itself
    const s = new Scenario('2b same window twice at once', ctx, { reruns: 1 });
    await s.setup();
    s.startConsumer();
    // the first run is held on page 3 (a state, not a duration) while the second one starts
    const held = ctx.toss.hold(3);
    const first = s.start(s.produceArgs());
    await held;
    const second = await s.settle(s.produceArgs());
    ctx.toss.release();
    expect(second.code).toBe(5);
    expect(second.stderr).toContain('JOB_ALREADY_RUNNING');
    s.note('second run while the first held page 3: exit 5');
    expect((await first.done).code).toBe(0);
    const executions = await s.query<{ status: string }>('SELECT status FROM job_executions');
    expect(executions.map((e) => e.status)).toEqual(['COMPLETED']);
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish()).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });
});
