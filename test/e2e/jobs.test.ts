import { afterEach, describe, expect, it } from 'vitest';
import {
  assertSecretNotPrinted,
  freeze,
  runSettle,
  startSettle,
  stopStrays,
  thaw,
  whileRunning,
  type CliRun,
  type RunningCli,
} from '../support/producer-cli.js';
import { claimIsFree, until } from '../support/producer-stack.js';
import { fault, gate, generateSettlementRows, type Gate } from '../support/toss-fake.js';
import { cliStack } from '../support/cli-stack.js';

interface View {
  id: number;
  instanceId: number;
  status: string;
  stale: boolean;
  lastPage: number;
  lastError: string | null;
  counts: { pages: number; rowsFetched: number; rowsPublished: number };
  window: { from: string; to: string };
}

const hungRows = generateSettlementRows({ count: 1_950, from: '2025-07-01', seed: 7 });
const killedRows = generateSettlementRows({ count: 1_950, from: '2025-07-08', seed: 8 });
const produce = (day: string) => ['produce', '--from', day, '--to', day, '--page-size', '100', '--concurrency', '1'];
// a held page is never given up on while a test runs (the longest timeout there is)
const { secretKey, db, fake, env } = cliStack('settle.e2e.jobs', {
  rows: () => [...hungRows, ...killedRows],
  env: () => ({ TOSS_TIMEOUT_MS: '600000', LOG_LEVEL: 'warn' }),
});

const settle = async (args: string[]): Promise<CliRun> => assertSecretNotPrinted(await runSettle(args, env), secretKey);
const json = async <T>(args: string[]): Promise<T> => {
  const run = await settle([...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
};
const checkpoints = async (from: string) =>
  (
    await db.query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM job_page_checkpoints c JOIN job_executions e ON e.id = c.execution_id JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = ?',
      [from],
    )
  )[0]?.n ?? 0;
/**
 * Starts a run of one day that stops mid-window for as long as the test needs: the fake withholds page 5
 * until the gate opens, so pages 1–3 are checkpointed and the run waits, claim held, on page 5.
 */
const startHeld = async (day: string): Promise<{ run: RunningCli; held: Gate }> => {
  const held = gate();
  fake.setFaults({ 5: [fault.hold(held)] });
  const run = startSettle(produce(day), env);
  await whileRunning(run, held.reached, 'it asked for page 5');
  await whileRunning(
    run,
    until(async () => (await checkpoints(day)) >= 3, 60_000, 'three checkpoints'),
    'three checkpoints',
  );
  return { run, held };
};
const startedIn = async (from: string): Promise<View> => {
  const list = await json<View[]>(['jobs', 'list', '--status', 'STARTED']);
  const found = list.find((v) => v.window.from === from);
  if (!found) throw new Error(`no STARTED execution for ${from}: ${JSON.stringify(list)}`);
  return found;
};

// a test that failed half-way leaves no run behind to hold a claim or write into the next test
afterEach(async () => {
  await stopStrays();
  fake.setFaults({});
});

describe('settle jobs', () => {
  it('recover refuses a live run, marks a SIGKILLed one FAILED, and the next run resumes it', async () => {
    const { run: running } = await startHeld('2025-07-08');
    const live = await startedIn('2025-07-08');
    expect(live.stale).toBe(false);

    const refused = await settle(['jobs', 'recover', String(live.id)]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/is alive \(its claim is held/);

    running.child.kill('SIGKILL');
    expect((await running.done).signal).toBe('SIGKILL');
    await until(() => claimIsFree(db, live.instanceId), 60_000, 'the server to drop the killed run’s claim');
    const recovered = await json<View>(['jobs', 'recover', String(live.id)]);
    expect(recovered).toMatchObject({ id: live.id, status: 'FAILED', lastError: expect.stringContaining('its process is gone') as unknown });
    const again = await settle(['jobs', 'recover', String(live.id)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is FAILED, not STARTED');

    fake.setFaults({});
    const rerun = await settle(produce('2025-07-08'));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`resumed after page ${recovered.lastPage}`);
    const shown = await json<View>(['jobs', 'show', String(live.id)]);
    expect(shown.status).toBe('FAILED');
    const completed = (await json<View[]>(['jobs', 'list', '--status', 'COMPLETED'])).filter((v) => v.window.from === '2025-07-08');
    expect(completed).toHaveLength(1);
    expect((completed[0]?.counts.rowsFetched ?? 0) + recovered.counts.rowsFetched).toBe(killedRows.length);
  });

  it('recover --force takes over a hung run whose heartbeat timed out; abandon makes the next run start from page 1', async () => {
    const { run: hung, held } = await startHeld('2025-07-01');
    await freeze(hung); // hung: it keeps its connection (the claim) but beats no heartbeat and writes no checkpoint
    const live = await startedIn('2025-07-01');
    await db.query('UPDATE job_executions SET heartbeat_at = NOW(3) - INTERVAL 10 MINUTE WHERE id = ?', [live.id]);
    expect((await startedIn('2025-07-01')).stale).toBe(true);

    const refused = await settle(['jobs', 'recover', String(live.id)]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/looks hung/);
    const forced = await json<View>(['jobs', 'recover', String(live.id), '--force']);
    expect(forced).toMatchObject({ status: 'FAILED', lastError: expect.stringContaining('heartbeat timed out') as unknown });

    thaw(hung);
    held.open();
    const ended = assertSecretNotPrinted(await hung.done, secretKey);
    expect(ended.code, ended.stderr).toBe(5); // the hung process finds itself FAILED at its next checkpoint and stops
    expect(ended.stderr).toContain('JOB_CLAIM_LOST');
    await until(() => claimIsFree(db, live.instanceId), 60_000, 'the stopped run’s claim to go');
    fake.setFaults({});

    const abandoned = await json<View>(['jobs', 'abandon', String(live.id)]);
    expect(abandoned.status).toBe('ABANDONED');
    const fresh = await settle(produce('2025-07-01'));
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).not.toContain('resumed after page');
    expect(fresh.stdout).toMatch(new RegExp(`fetched ${hungRows.length} `));
  });

  it('names a missing execution and a bad id', async () => {
    expect((await settle(['jobs', 'show', '999999'])).stderr).toContain('no execution 999999');
    const bad = await settle(['jobs', 'show', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/<id> must be a whole number/);
  });
});
