import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/presentation/bench/settlement-row-generator.js';
import { Scenario, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;

describe('faults 1: consumers SIGKILLed while they write', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => ctx?.close());

  it('1a: one consumer SIGKILLed 5 times at random moments and restarted each time', async () => {
    const s = new Scenario('1a consumer SIGKILL x5, restarted', ctx);
    await s.setup();
    const consumer = s.startConsumer();
    const producing = s.produceUntilDone();
    await waitFor('the consumer process', () => consumer.pid() ?? null, 30_000);
    // the process title and arguments carry no secret (every user on the machine can read them)
    const cmdline = readFileSync(`/proc/${String(consumer.pid())}/cmdline`, 'utf8');
    for (const secret of [ctx.secretKey, ctx.db.password]) expect(cmdline).not.toContain(secret);
    const random = seededRandom(Number(process.env.FAULTS_SEED ?? Date.now() % 100_000));
    const total = s.expected.rows;
    for (const base of [0.08, 0.24, 0.4, 0.56, 0.72]) {
      await s.injectAt('consumer SIGKILL', () => s.storedRecords(), Math.floor(total * (base + random() * 0.08)), total, () => consumer.kill());
    }
    expect(await producing).toEqual([0]);
    await waitFor('the restarted consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(consumer.restarts).toBe(5);
    const result = await s.finish(`${consumer.restarts} restarts`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, result: 'PASS' });
  });

  it('1b: three consumers in one group; one SIGKILLed, the other two take over its partitions', async () => {
    const s = new Scenario('1b 3 consumers, 1 SIGKILLed', ctx);
    await s.setup();
    const consumers = [0, 1, 2].map(() => s.startConsumer({ CONSUMER_CONCURRENCY: '2' }, { restartAfterKill: false }));
    const producing = s.produceUntilDone();
    const victim = consumers[1];
    if (!victim) throw new Error('fixture');
    await s.injectAt('1 of 3 consumers SIGKILLed', () => s.storedRecords(), Math.floor(s.expected.rows * 0.3), s.expected.rows, () => victim.kill());
    expect(await producing).toEqual([0]);
    await waitFor('the two survivors to catch up on all 6 partitions', () => s.caughtUp(), 600_000, 500);
    expect(victim.alive()).toBe(false);
    const result = await s.finish();
    expect(result).toMatchObject({ lost: 0, duplicated: 0, result: 'PASS' });
  });
});
