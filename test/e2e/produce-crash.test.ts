import { afterEach, describe, expect, it } from 'vitest';
import { assertSecretNotPrinted, runSettle, startSettle, stopStrays, whileRunning } from '../support/producer-cli.js';
import { readSettlements } from '../support/producer-kafka.js';
import { claimIsFree, until, executionsOf } from '../support/producer-stack.js';
import { fault, gate, generateSettlementRows } from '../support/toss-fake.js';
import { cliStack } from '../support/cli-stack.js';

const rows = generateSettlementRows({ count: 2_950, from: '2025-06-02', days: 2, seed: 42 });
const termRows = generateSettlementRows({ count: 1_450, from: '2025-06-10', seed: 43 });
const args = ['produce', '--from', '2025-06-02', '--to', '2025-06-03', '--page-size', '100', '--concurrency', '2'];
// each test holds a page (fault.hold) to stop the run mid-window; the client never gives up on it meanwhile
const { secretKey, topic, db, fake, env } = cliStack('settle.e2e.crash', {
  rows: () => [...rows, ...termRows],
  env: () => ({ TOSS_TIMEOUT_MS: '600000', LOG_LEVEL: 'info' }),
});

afterEach(async () => {
  await stopStrays();
  fake.setFaults({});
});

describe('settle produce killed mid-window (SIGKILL) and run again', () => {
  it('resumes after the last checkpoint: every row of the window reaches the topic, one instance, two executions, then exit 6', async () => {
    const held = gate();
    fake.setFaults({ 7: [fault.hold(held)] }); // the run waits on page 7 until it is killed
    const crashed = startSettle(args, env);
    await whileRunning(crashed, held.reached, 'it asked for page 7');
    await whileRunning(
      crashed,
      until(async () => ((await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM job_page_checkpoints'))[0]?.n ?? 0) >= 5, 60_000, 'five checkpointed pages'),
      'five checkpoints',
    );
    crashed.child.kill('SIGKILL');
    const killed = assertSecretNotPrinted(await crashed.done, secretKey);
    expect(killed.signal).toBe('SIGKILL');
    const [checkpointed] = await db.query<{ n: number }>('SELECT MAX(page) AS n FROM job_page_checkpoints');
    expect(checkpointed?.n).toBeLessThan(30); // really killed mid-window
    const [instance] = await db.query<{ id: number }>("SELECT id FROM job_instances WHERE window_from = '2025-06-02'");
    await until(() => claimIsFree(db, Number(instance?.id)), 60_000, 'the server to drop the killed run’s claim');

    fake.setFaults({});
    const rerun = assertSecretNotPrinted(await runSettle(args, env), secretKey);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/^COMPLETED window 2025-06-02\.\.2025-06-03 \(soldDate\) execution \d+ \(resumed after page \d+\)/);
    expect(rerun.stderr).toContain('recovered a dead execution');

    // nothing lost: the in-flight page may have been published twice, never skipped
    const published = await readSettlements(topic);
    expect(new Set(published.map((r) => r.value.transactionKey))).toEqual(new Set(rows.map((r) => r.transactionKey)));
    expect(published.length).toBeGreaterThanOrEqual(rows.length);

    const instances = await db.query<{ id: number }>("SELECT id FROM job_instances WHERE window_from = '2025-06-02'");
    expect(instances).toHaveLength(1);
    const [dead, done, ...more] = await executionsOf(db, '2025-06-02');
    expect(more).toEqual([]);
    expect(dead).toMatchObject({ status: 'FAILED', last_error: expect.stringContaining('process died') as unknown });
    expect(done).toMatchObject({ status: 'COMPLETED', resumed_from: dead?.id, last_page: 30 });
    expect((dead?.pages ?? 0) + (done?.pages ?? 0)).toBe(30);
    expect((dead?.rows_fetched ?? 0) + (done?.rows_fetched ?? 0)).toBe(rows.length);
    expect((dead?.rows_published ?? 0) + (done?.rows_published ?? 0)).toBe(rows.length);
    expect(rerun.stdout).toContain(`resumed after page ${dead?.last_page}`);

    const third = assertSecretNotPrinted(await runSettle(args, env), secretKey);
    expect(third.code).toBe(6);
    expect(third.stderr).toContain('JOB_ALREADY_COMPLETED');
  });
  it('stops cleanly on SIGTERM after the page in hand (exit 4, STOPPED), and the rerun resumes to COMPLETED', async () => {
    const termArgs = ['produce', '--from', '2025-06-10', '--to', '2025-06-10', '--page-size', '100', '--concurrency', '2'];
    const held = gate();
    fake.setFaults({ 5: [fault.hold(held)] }); // the run waits on page 5 until it is stopped
    const running = startSettle(termArgs, env);
    const checkpoints = async () =>
      (
        await db.query<{ n: number }>(
          "SELECT COUNT(*) AS n FROM job_page_checkpoints c JOIN job_executions e ON e.id = c.execution_id JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = '2025-06-10'",
        )
      )[0]?.n ?? 0;
    await whileRunning(running, held.reached, 'it asked for page 5');
    await whileRunning(
      running,
      until(async () => (await checkpoints()) >= 3, 60_000, 'three checkpointed pages'),
      'three checkpoints',
    );
    running.child.kill('SIGTERM');
    const stopped = assertSecretNotPrinted(await running.done, secretKey);
    expect(stopped.code, stopped.stderr).toBe(4);
    // stopped between pages it prints the summary; stopped while awaiting a page it says so on stderr
    expect(`${stopped.stdout}${stopped.stderr}`).toMatch(
      /^STOPPED window 2025-06-10|settle: JOB_STOPPED: stopped by signal after \d+ page\(s\); rerun resumes/m,
    );
    const [halted] = await executionsOf(db, '2025-06-10');
    expect(halted?.status).toBe('STOPPED');
    expect(halted?.last_page).toBe(await checkpoints()); // nothing published after the last checkpoint was left unrecorded

    fake.setFaults({});
    const rerun = assertSecretNotPrinted(await runSettle(termArgs, env), secretKey);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`resumed after page ${halted?.last_page}`);
    const [, done] = await executionsOf(db, '2025-06-10');
    expect(done).toMatchObject({ status: 'COMPLETED', resumed_from: halted?.id, last_page: 15 });
    expect((halted?.rows_published ?? 0) + (done?.rows_published ?? 0)).toBe(termRows.length);
    const keys = new Set(termRows.map((r) => r.transactionKey));
    expect(new Set((await readSettlements(topic)).map((r) => r.value.transactionKey).filter((k) => keys.has(k)))).toEqual(keys);
  });
});
