import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobLockName } from '../../../src/infrastructure/mysql/job-rows.js';
import { requireBuild, runSettle, startSettle, stopStrays, whileRunning, type RunningCli } from '../../support/producer-cli.js';
import { producerFixture } from '../../support/producer-fixture.js';
import { stack, uniqueName, until } from '../../support/producer-stack.js';
import { fault, gate, generateSettlementRows, startTossFake, type TossFake } from '../../support/toss-fake.js';

const { secretKey, topic, db } = producerFixture('settle.it.sharded', { partitions: 4, databasePrefix: 'settle_it_sharded' });
const group = uniqueName('settle_it_sharded_loader');
// 30 pages of 100 rows: worker 0 reads pages 1, 4, …, 28; worker 1 pages 2, 5, …, 29; worker 2 pages 3, 6, …, 30
const rows = generateSettlementRows({ count: 2_950, from: '2025-08-04', days: 2, seed: 77 });
const worker = (i: number) => [
  'produce',
  '--from',
  '2025-08-04',
  '--to',
  '2025-08-05',
  '--page-size',
  '100',
  '--concurrency',
  '2',
  '--shards',
  '3',
  '--shard',
  String(i),
];
let fake: TossFake;
let env: Record<string, string>;
const consumers: RunningCli[] = [];

interface Row {
  readonly n: number;
}

/** Whether worker `shard`'s claim (its named lock) is free: a killed worker's goes once the server drops its connection. */
async function workerClaimIsFree(instanceId: number, shard: number): Promise<boolean> {
  const lock = await jobLockName({ query: async (sql: string) => [await db.query(sql)] }, instanceId, shard);
  const [row] = await db.query<{ free: number | null }>('SELECT IS_FREE_LOCK(?) AS free', [lock]);
  return Number(row?.free) === 1;
}

beforeAll(async () => {
  requireBuild();
  fake = await startTossFake({ rows, secretKey });
  env = {
    TOSS_API_BASE_URL: fake.url,
    TOSS_SECRET_KEY: secretKey,
    TOSS_TIMEOUT_MS: '600000',
    KAFKA_BROKERS: stack.brokers,
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    MYSQL_URL: db.url,
    SETTLEMENT_TOPIC: topic,
    CONSUMER_GROUP: group,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
  };
});

afterEach(async () => {
  fake.setFaults({});
});

afterAll(async () => {
  for (const c of consumers) c.child.kill('SIGTERM');
  await Promise.allSettled(consumers.map((c) => c.done));
  await stopStrays();
  await fake?.close();
});

describe('one window, three producer workers and two consumer replicas', () => {
  it('loads MySQL exactly while a worker is SIGKILLed and restarted alone, and the window completes once', async () => {
    // two replicas of the long-running loader in one group: the topic's 4 partitions are split between them
    for (let i = 0; i < 2; i++) consumers.push(startSettle(['consume'], env));

    const killedAt = gate(); // worker 1 waits on its page 8 until it is killed
    const copyAt = gate(); // worker 0 waits on its page 7 while a second copy of it is started
    fake.setFaults({ 8: [fault.hold(killedAt)], 7: [fault.hold(copyAt)] });
    const workers = [0, 1, 2].map((i) => startSettle(worker(i), env));
    const [w0, w1, w2] = workers as [RunningCli, RunningCli, RunningCli];

    await whileRunning(w1, killedAt.reached, 'worker 1 asked for page 8');
    await whileRunning(w0, copyAt.reached, 'worker 0 asked for page 7');
    // a second copy of worker 0 finds its claim taken: exit 5, nothing fetched for it
    const copy = await runSettle(worker(0), env);
    expect(copy.code, copy.stderr).toBe(5);
    expect(copy.stderr).toContain('worker 0 of 3');
    copyAt.open();

    // two pages in flight: page 2 is checkpointed once page 5 is published; page 8 is held, so nothing further
    await whileRunning(
      w1,
      until(
        async () =>
          (await db.query<Row>('SELECT COUNT(*) AS n FROM job_page_checkpoints c JOIN job_executions e ON e.id = c.execution_id WHERE e.shard = 1'))[0]?.n ===
          1,
        60_000,
        'worker 1 checkpointed page 2',
      ),
      'a checkpoint',
    );
    w1.child.kill('SIGKILL');
    expect((await w1.done).signal).toBe('SIGKILL');
    // the other workers do not notice: each finishes its own pages
    for (const w of [w0, w2]) {
      const done = await w.done;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toMatch(/^COMPLETED window 2025-08-04\.\.2025-08-05 \(soldDate\) \(worker [02] of 3\)/);
    }
    const [instance] = await db.query<{ id: number }>("SELECT id FROM job_instances WHERE window_from = '2025-08-04'");
    await until(() => workerClaimIsFree(Number(instance?.id), 1), 60_000, 'the server to drop the killed worker’s claim');

    // the window is not complete while one worker is not (the killed one is STARTED until it is recovered): one line
    const partial = await runSettle(['jobs', 'list'], env);
    expect(partial.stdout).toMatch(/RUN ×3\s+STARTED\s+2025-08-04\.\.2025-08-05\b/);
    expect(partial.stdout).toMatch(/^\s+workers 0:COMPLETED #\d+ 1:STARTED #\d+ 2:COMPLETED #\d+$/m);

    fake.setFaults({});
    const restarted = await runSettle(worker(1), env);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/\(worker 1 of 3\) execution \d+ \(resumed after page 2\)/);
    expect(restarted.stderr).toContain('recovered a dead execution');

    // MySQL ends exact: every row once, the same money, the same values row by row
    await until(async () => (await db.query<Row>('SELECT COUNT(*) AS n FROM settlements'))[0]?.n === rows.length, 120_000, 'every row in MySQL');
    const [totals] = await db.query<{ n: number; amount: string; payout: string; keys: number }>(
      'SELECT COUNT(*) AS n, SUM(amount) AS amount, SUM(pay_out_amount) AS payout, COUNT(DISTINCT transaction_key) AS `keys` FROM settlements',
    );
    const sum = (field: string) => rows.reduce((n, r) => n + Number(r[field]), 0);
    expect({ n: Number(totals?.n), keys: Number(totals?.keys), amount: Number(totals?.amount), payout: Number(totals?.payout) }).toEqual({
      n: rows.length,
      keys: rows.length,
      amount: sum('amount'),
      payout: sum('payOutAmount'),
    });
    const stored = await db.query<{ line: string }>(
      "SELECT CONCAT_WS(':', transaction_key, amount, COALESCE(fee, 'null'), pay_out_amount, sold_date, paid_out_date) AS line FROM settlements ORDER BY transaction_key",
    );
    const expected = rows.map((r) => [r.transactionKey, r.amount, r.fee ?? 'null', r.payOutAmount, r.soldDate, r.paidOutDate].map(String).join(':')).sort();
    expect(stored.map((s) => s.line).sort()).toEqual(expected);

    // COMPLETED once: one run of three workers, each worker's part published once more never
    const list = await runSettle(['jobs', 'list'], env);
    const runLines = list.stdout.split('\n').filter((l) => l.includes('2025-08-04..2025-08-05'));
    expect(runLines).toHaveLength(1);
    // rows fetched and published add up over the workers' executions (the killed one's page counted once)
    expect(runLines[0]).toMatch(/RUN ×3\s+COMPLETED\s+2025-08-04\.\.2025-08-05\b.*\s2950\s+2950\s+0\s/);
    const executions = await db.query<{ shard: number; status: string; pages: number }>(
      "SELECT e.shard, e.status, e.pages FROM job_executions e JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = '2025-08-04' ORDER BY e.id",
    );
    expect(
      executions
        .filter((e) => e.status === 'COMPLETED')
        .map((e) => e.shard)
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(executions.filter((e) => e.status === 'FAILED').map((e) => e.shard)).toEqual([1]);
    const again = await runSettle(worker(2), env);
    expect(again.code).toBe(6);
    const otherCount = await runSettle([...worker(0).slice(0, -4), '--shards', '2', '--shard', '0'], env);
    expect(otherCount.code).toBe(2);
    expect(otherCount.stderr).toContain('JOB_SHARDS_MISMATCH');
    expect(otherCount.stderr).toContain('--shards 3');

    for (const c of consumers) c.child.kill('SIGTERM');
    for (const c of consumers) expect((await c.done).code).toBe(0);
  });
});
