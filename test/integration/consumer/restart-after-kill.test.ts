import { AssignerProtocol, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { ConsumerFixture, waitFor } from './consumer-fixture.js';

const SESSION_MS = 6_000; // the broker's minimum, so the test waits as little as possible
const TIMINGS = {
  CONSUMER_SESSION_TIMEOUT_MS: String(SESSION_MS),
  CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
  CONSUMER_REBALANCE_TIMEOUT_MS: '20000',
  LOG_LEVEL: 'info',
};

interface GroupView {
  readonly state: string;
  readonly members: ReadonlyArray<{ readonly memberId: string; readonly partitions: readonly number[] }>;
}

// Needs the built binary: `npx tsc -p tsconfig.build.json`.
describe('consume: a member SIGKILLed, then a new one', () => {
  let fx: ConsumerFixture;
  let admin: Admin;
  beforeAll(async () => {
    fx = await ConsumerFixture.create('restart', 3);
    admin = fx.kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await fx?.close();
  });

  const group = async (): Promise<GroupView> => {
    const [g] = (await admin.describeGroups([fx.group])).groups;
    return {
      state: g?.state ?? 'Unknown',
      members: (g?.members ?? []).map((m) => ({
        memberId: m.memberId,
        partitions: m.memberAssignment.length > 0 ? [...(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[fx.topic] ?? [])].sort() : [],
      })),
    };
  };
  /** Stable, one member, holding every partition: that member's id. */
  const soleOwner = async (): Promise<string | null> => {
    const g = await group();
    const [only] = g.members;
    return g.state === 'Stable' && g.members.length === 1 && only?.partitions.join() === '0,1,2' ? only.memberId : null;
  };

  it('gets every partition once the dead member’s configured session expired, and loads what was produced meanwhile', async () => {
    const first = fx.spawnSettle(['consume'], TIMINGS);
    let second: ReturnType<ConsumerFixture['spawnSettle']> | null = null;
    try {
      const dead = await waitFor('the first member to own every partition', soleOwner, 60_000, 100);
      first.kill('SIGKILL');
      expect((await first.output).signal).toBe('SIGKILL');
      const killedAt = Date.now();
      // it did not leave: the coordinator still counts it as a member (until its session expires)
      expect((await group()).members.map((m) => m.memberId)).toContain(dead);

      await fx.produce(Array.from({ length: 30 }, (_, i) => syntheticSettlement(i, 'rk')));
      second = fx.spawnSettle(['consume'], TIMINGS);
      // Hang guard, not a speed assertion: a few session timeouts, yet below kafkajs's 30 s default session,
      // which is what the dead member would have kept without CONSUMER_SESSION_TIMEOUT_MS.
      const newOwner = async () => {
        const id = await soleOwner();
        return id !== null && id !== dead ? id : null;
      };
      const owner = await waitFor('a new member to own every partition', newOwner, 4 * SESSION_MS, 100);
      const waitedMs = Date.now() - killedAt;
      expect(owner).not.toBe(dead);
      await waitFor('the records produced after the kill to be loaded', async () => (await fx.count()) === 30, 60_000, 200);
      console.info(`new member owned every partition ${waitedMs} ms after the SIGKILL (session timeout ${SESSION_MS} ms)`);

      second.kill('SIGTERM');
      const stopped = await second.output;
      expect(stopped.code, stopped.stderr.slice(-2000)).toBe(0);
    } catch (error) {
      first.kill('SIGKILL');
      second?.kill('SIGKILL');
      const logs = `first:\n${(await first.output).stderr.slice(-3000)}\nsecond:\n${second ? (await second.output).stderr.slice(-3000) : '(not started)'}`;
      throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
    }
  });
});
