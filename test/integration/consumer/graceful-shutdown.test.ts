import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { UPSERT_SETTLEMENTS_SQL } from '../../../src/infrastructure/mysql/settlement-upsert-sql.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { ConsumerFixture, lockWaits, waitFor } from './consumer-fixture.js';

/** The consumer's own measure of its stop: its one "shutdown" log line (tookMs from the signal, deadlineMs), checked. */
function ownShutdown(stderr: string): Record<string, unknown> {
  const lines = stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'shutdown');
  expect(lines).toHaveLength(1);
  const [line] = lines as [Record<string, unknown>];
  expect(line.tookMs).toBeLessThanOrEqual(Number(line.deadlineMs));
  return line;
}

// Runs the built binary (`npx tsc -p tsconfig.build.json` first).
describe('consume: graceful shutdown on SIGTERM', () => {
  let fx: ConsumerFixture;
  const all = Array.from({ length: 400 }, (_, i) => syntheticSettlement(i, 'gs'));
  beforeAll(async () => {
    fx = await ConsumerFixture.create('shutdown', 3);
  });
  afterAll(async () => fx?.close());

  it('serves health, readiness and metrics, then exits 0 within the deadline with the offsets stored', async () => {
    await fx.produce(all.slice(0, 200));
    const child = fx.spawnSettle(['consume', '--json'], { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '10000' });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const metricsUrl = await waitFor('the metrics URL in the log', async () => /"metrics":"(http:\/\/[^"]+)"/.exec(stderr)?.[1]);
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(200);
    const highs = await fx.highWatermarks();
    await waitFor('every record stored', async () => JSON.stringify([...(await fx.storedOffsets())].sort()) === JSON.stringify([...highs].sort()), 60_000, 100);
    expect((await fetch(`${metricsUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/settle_consumer_rows_total\{[^}]*outcome="inserted"\} 200/);

    child.kill('SIGTERM');
    const out = await child.output;
    expect(out.code, out.stderr.slice(-2000)).toBe(0);
    // within the deadline, as the process measured its own stop from the signal
    expect(ownShutdown(out.stderr)).toMatchObject({ command: 'consume', code: null, deadlineMs: 10_000, withinDeadline: true });
    expect(JSON.parse(out.stdout)).toMatchObject({ records: 200, inserted: 200, stoppedBy: 'signal' });
    expect(await fx.storedOffsets()).toEqual(highs);
  });

  it('rolls back a batch stuck on a row lock instead of overrunning the deadline, and loses nothing', async () => {
    const stuck = all[399];
    if (!stuck) throw new Error('fixture');
    const blocker = await mysql.createConnection({ uri: fx.env.MYSQL_URL ?? '' });
    try {
      await blocker.beginTransaction();
      await blocker.query(UPSERT_SETTLEMENTS_SQL, [[toSettlementRow(stuck, { topic: 'blocker', partition: 0, offset: 0, timestamp: 0 })]]);
      await fx.produce(all.slice(200));
      const before = await fx.storedOffsets();
      const child = fx.spawnSettle(['consume'], { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '5000' });
      await waitFor('the consumer to block on the held row', async () => (await lockWaits(fx.db, `settle_it_${fx.id}`)) > 0, 60_000, 300);
      child.kill('SIGTERM');
      const out = await child.output;
      expect(out.code, out.stderr.slice(-2000)).toBe(0);
      expect(ownShutdown(out.stderr)).toMatchObject({ command: 'consume', code: null, deadlineMs: 5_000, withinDeadline: true });
      // the stuck partition's batch was rolled back: its offset did not move and its rows are not there
      const after = await fx.storedOffsets();
      const stuckPartitions = [...after].filter(([p, o]) => o === before.get(p));
      expect(stuckPartitions).toHaveLength(1);
      expect(await fx.count()).toBeLessThan(400);
    } finally {
      await blocker.rollback().catch(() => undefined);
      await blocker.end();
    }
    const rerun = await fx.spawnSettle(['consume', '--until-idle']).output;
    expect(rerun.code, rerun.stderr.slice(-2000)).toBe(0);
    expect(await fx.count()).toBe(400);
    expect(await fx.storedOffsets()).toEqual(await fx.highWatermarks());
  });
});
