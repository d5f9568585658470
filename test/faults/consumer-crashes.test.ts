import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../support/settlement-row-generator.js';
import { Scenario, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;

/** The partitions of the last `partitions assigned` a consumer logged from `from` on; null if none. */
function lastAssignment(log: string, from: number): number[] | null {
  let last: number[] | null = null;
  for (const line of log.slice(from).split('\n')) {
    if (!line.includes('"partitions assigned"')) continue;
    try {
      last = (JSON.parse(line) as { partitions: number[] }).partitions;
    } catch {
      // a line cut by the kill
    }
  }
  return last;
}

describe('faults 1: consumers SIGKILLed while they write', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => ctx?.close());

  it('1a: one consumer SIGKILLed 5 times at random moments and restarted each time', async () => {
    // the kills are the suite's (restarted, not counted as restarts); the consumer itself should never need to exit 4
    const s = new Scenario('1a consumer SIGKILL x5, restarted', ctx, { restarts: 1 });
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
      await s.injectAt(
        'consumer SIGKILL',
        () => s.storedRecords(),
        Math.floor(total * (base + random() * 0.08)),
        total,
        () => consumer.kill(),
      );
    }
    expect(await producing).toEqual([0]);
    await waitFor('the restarted consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(consumer.kills).toBe(5);
    const result = await s.finish(`${consumer.kills} kills, each restarted`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });

  it('1b: three consumers in one group; one SIGKILLed, the other two take over its partitions', async () => {
    const s = new Scenario('1b 3 consumers, 1 SIGKILLed', ctx, { restarts: 1 });
    await s.setup();
    const consumers = [0, 1, 2].map(() => s.startConsumer({ CONSUMER_CONCURRENCY: '2' }, { restartAfterKill: false }));
    const [first, victim, third] = consumers;
    if (!first || !victim || !third) throw new Error('fixture');
    const survivors = [first, third];
    // the victim owns partitions once the group has settled on three members (each holds two of the six)
    await waitFor('the group to spread the 6 partitions over the 3 consumers', () => consumers.every((c) => (lastAssignment(c.log, 0)?.length ?? 0) === 2));
    const producing = s.produceUntilDone();
    const marks = survivors.map((c) => c.log.length);
    let owned: readonly number[] = [];
    let storedAtKill = new Map<number, number>();
    await s.injectAt(
      '1 of 3 consumers SIGKILLed',
      () => s.storedRecords(),
      Math.floor(s.expected.rows * 0.3),
      s.expected.rows,
      async () => {
        owned = lastAssignment(victim.log, 0) ?? [];
        victim.kill();
        storedAtKill = await s.storedOffsets();
      },
    );
    expect(await producing).toEqual([0]);
    await waitFor('the two survivors to catch up on all 6 partitions', () => s.caughtUp(), 600_000, 500);
    // the survivors took the victim's partitions after the kill and loaded what it had left there
    const takenOver = owned.filter((p) => survivors.some((c, i) => lastAssignment(c.log, marks[i] ?? 0)?.includes(p)));
    const highs = await s.highWatermarks();
    const loadedAfter = owned.reduce((n, p) => n + (highs.get(p) ?? 0) - (storedAtKill.get(p) ?? 0), 0);
    expect(owned).toHaveLength(2);
    expect(takenOver).toEqual(owned);
    s.hit(
      loadedAfter > 0 ? `survivors took partitions ${owned.join(',')} and loaded ${loadedAfter} records the victim had left` : null,
      `the victim's partitions ${owned.join(',')} were fully loaded before the kill`,
    );
    const result = await s.finish();
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });
});
