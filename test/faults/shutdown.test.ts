import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopService } from './support/fault-stack.js';
import { Scenario, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;
const SHUTDOWN_TIMEOUT_MS = 10_000;

describe('faults 9: shutdown under trouble', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => {
    await startService('kafka');
    await ctx?.close();
  });

  it('9: SIGTERM while the broker is unreachable still exits within SHUTDOWN_TIMEOUT_MS, with the documented code', async () => {
    const s = new Scenario('9 SIGTERM, broker unreachable', ctx);
    await s.setup();
    expect(await s.produceUntilDone()).toEqual([0]);
    const consumer = s.start(['consume'], { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
    let log = '';
    consumer.child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await s.injectAt('broker stopped', () => s.storedRecords(), Math.floor(s.expected.rows * 0.2), s.expected.rows, () => stopService('kafka'));
    // the consumer is in its reconnect loop once kafkajs reports the broker it lost
    await waitFor('the consumer to report the lost broker', () => /ECONNREFUSED|Connection error|KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded/i.test(log), 120_000);
    const sent = Date.now();
    consumer.child.kill('SIGTERM');
    const exit = await consumer.done;
    const tookMs = Date.now() - sent;
    s.note(`SIGTERM in the reconnect loop: exit ${exit.code} after ${(tookMs / 1000).toFixed(1)} s (deadline ${SHUTDOWN_TIMEOUT_MS / 1000} s)`);
    // the deadline is the contract under test; 3 s of slack covers the process's own start of exit
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 3_000);
    // documented: 0 when the stop finished within the deadline; 4 (SHUTDOWN_DEADLINE_EXCEEDED) when it did not
    if (exit.code === 4) expect(exit.stderr).toContain('SHUTDOWN_DEADLINE_EXCEEDED');
    else expect(exit.code).toBe(0);

    await startService('kafka');
    s.startConsumer();
    await waitFor('a new consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish()).toMatchObject({ lost: 0, duplicated: 0, result: 'PASS' });
  });
});
