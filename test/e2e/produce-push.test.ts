import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSettle } from '../support/producer-cli.js';
import { uniqueName } from '../support/producer-stack.js';
import { generateSettlementRows } from '../support/toss-fake.js';
import { cliStack } from '../support/cli-stack.js';

// the stack's Pushgateway (bash scripts/stack.sh up starts it on 127.0.0.1:9091)
const PUSHGATEWAY = process.env.PUSHGATEWAY_URL ?? 'http://127.0.0.1:9091';
const FROM = '2025-09-01';
const GROUP = `${PUSHGATEWAY}/metrics/job/settle_produce/window/${FROM}_${FROM}_soldDate`;
const RECONCILE_GROUP = `${PUSHGATEWAY}/metrics/job/settle_reconcile/window/${FROM}_${FROM}_soldDate`;
const rows = generateSettlementRows({ count: 40, from: FROM, seed: 5 });
const { db, env } = cliStack('settle.e2e.push', {
  rows: () => rows,
  env: () => ({ CONSUMER_GROUP: uniqueName('settle_e2e_push_loader'), METRICS_PORT: '0', LOG_LEVEL: 'warn', PUSHGATEWAY_URL: PUSHGATEWAY }),
  partitions: 2,
});

/** The Pushgateway's series of this test's group, as `name{labels} value` lines. */
async function pushed(prefix = 'settle_producer_'): Promise<string[]> {
  const text = await (await fetch(`${PUSHGATEWAY}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(prefix) && l.includes(`window="${FROM}_${FROM}_soldDate"`));
}
const value = (lines: string[], name: string, label = ''): number | null => {
  const line = lines.find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line === undefined ? null : Number(line.split(' ').at(-1));
};

beforeAll(async () => {
  const ready = await fetch(`${PUSHGATEWAY}/-/ready`).catch(() => null);
  if (!ready?.ok) throw new Error(`no Pushgateway at ${PUSHGATEWAY}: bash scripts/stack.sh up pushgateway`);
  await fetch(GROUP, { method: 'DELETE' });
  await fetch(RECONCILE_GROUP, { method: 'DELETE' });
});

afterAll(async () => {
  await fetch(GROUP, { method: 'DELETE' }).catch(() => undefined);
  await fetch(RECONCILE_GROUP, { method: 'DELETE' }).catch(() => undefined);
});

describe('settle produce pushes its run to the Pushgateway', () => {
  it('a completed run: outcome, rows, exit code and the last-success time', async () => {
    const before = Date.now() / 1000;
    const run = await runSettle(['produce', '--from', FROM, '--to', FROM], env);
    expect(run.code, run.stderr).toBe(0);
    const lines = await pushed();
    expect(value(lines, 'settle_producer_last_run_outcome', 'outcome="COMPLETED"')).toBe(1);
    expect(value(lines, 'settle_producer_last_run_outcome', 'outcome="FAILED"')).toBe(0);
    expect(value(lines, 'settle_producer_last_run_rows', 'kind="published"')).toBe(rows.length);
    expect(value(lines, 'settle_producer_last_run_exit_code')).toBe(0);
    expect(value(lines, 'settle_producer_last_success_timestamp_seconds')).toBeGreaterThanOrEqual(Math.floor(before));
  });

  it('a failed run (exit 6: already completed) pushes FAILED with its exit code and keeps the last success', async () => {
    const success = value(await pushed(), 'settle_producer_last_success_timestamp_seconds');
    const run = await runSettle(['produce', '--from', FROM, '--to', FROM], env);
    expect(run.code).toBe(6);
    const lines = await pushed();
    expect(value(lines, 'settle_producer_last_run_outcome', 'outcome="FAILED"')).toBe(1);
    expect(value(lines, 'settle_producer_last_run_exit_code')).toBe(6);
    expect(value(lines, 'settle_producer_last_run_error', 'code="JOB_ALREADY_COMPLETED"')).toBe(1);
    expect(value(lines, 'settle_producer_last_success_timestamp_seconds')).toBe(success);
  });

  it('a Pushgateway that is down is a warning: the run keeps its own exit code', async () => {
    const run = await runSettle(['produce', '--from', FROM, '--to', FROM, '--dry-run'], { ...env, PUSHGATEWAY_URL: 'http://user:hunter2@127.0.0.1:9' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('PUSHGATEWAY_PUSH_FAILED');
    expect(run.stderr).not.toContain('hunter2');
  });

  it('settle reconcile pushes OK, then MISMATCH with the number of dates that differ', async () => {
    expect((await runSettle(['consume', '--until-idle'], env)).code).toBe(0);
    const ok = await runSettle(['reconcile', '--from', FROM, '--to', FROM], env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    let lines = await pushed('settle_reconcile_');
    expect(value(lines, 'settle_reconcile_last_run_outcome', 'outcome="OK"')).toBe(1);
    expect(value(lines, 'settle_reconcile_last_run_mismatched_dates')).toBe(0);

    await db.query('DELETE FROM settlements WHERE transaction_key = ?', [rows[0]?.transactionKey]);
    const mismatch = await runSettle(['reconcile', '--from', FROM, '--to', FROM], env);
    expect(mismatch.code).toBe(3);
    lines = await pushed('settle_reconcile_');
    expect(value(lines, 'settle_reconcile_last_run_outcome', 'outcome="MISMATCH"')).toBe(1);
    expect(value(lines, 'settle_reconcile_last_run_mismatched_dates')).toBe(1);
    expect(value(lines, 'settle_reconcile_last_run_exit_code')).toBe(3);
  });
});
