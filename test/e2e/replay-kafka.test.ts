import { afterEach, describe, expect, it } from 'vitest';
import { assertSecretNotPrinted, runSettle, startSettle, stopStrays, type CliRun } from '../support/producer-cli.js';
import { uniqueName, until } from '../support/producer-stack.js';
import { generateSettlementRows } from '../support/toss-fake.js';
import { cliStack } from '../support/cli-stack.js';

const group = uniqueName('settle-e2e-rewind');
const rows = generateSettlementRows({ count: 400, from: '2025-08-04', seed: 11 });
const { secretKey, topic, db, env } = cliStack('settle.e2e.rewind', {
  rows: () => rows,
  env: () => ({ LOG_LEVEL: 'warn', CONSUMER_GROUP: group, METRICS_PORT: '0' }),
});

const settle = async (args: string[]): Promise<CliRun> => assertSecretNotPrinted(await runSettle(args, env), secretKey);
const totals = async () =>
  (
    await db.query<{ n: number; amount: string; payout: string }>('SELECT COUNT(*) AS n, SUM(amount) AS amount, SUM(pay_out_amount) AS payout FROM settlements')
  )[0];

// a test that failed half-way leaves no consumer behind in the group
afterEach(stopStrays);

describe('settle replay --kafka', () => {
  it('refuses while the group has live members, then rewinds the stored offsets so MySQL is rebuilt from the topic', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    expect((await settle(['produce', '--from', '2025-08-04', '--to', '2025-08-04'])).code).toBe(0);
    const loaded = await settle(['consume', '--until-idle']);
    expect(loaded.code, loaded.stderr).toBe(0);
    const before = await totals();
    expect(Number(before?.n)).toBe(rows.length);

    const lost = await db.query<{ transaction_key: string }>('SELECT transaction_key FROM settlements ORDER BY transaction_key LIMIT 7');
    await db.query('DELETE FROM settlements WHERE transaction_key IN (?)', [lost.map((r) => r.transaction_key)]);
    expect(Number((await totals())?.n)).toBe(rows.length - 7);

    const live = startSettle(['consume'], env);
    let refused: CliRun | null = null;
    await until(
      async () => {
        refused = await settle(['replay', '--kafka', '--since', since, '--dry-run']);
        return refused.code === 5;
      },
      60_000,
      'the live consumer to join its group',
    );
    expect(refused!.stderr).toMatch(new RegExp(`group ${group} has 1 live member`));
    live.child.kill('SIGTERM');
    const stopped = await live.done;
    expect(stopped.code, stopped.stderr).toBe(0);

    const plan = await settle(['replay', '--kafka', '--since', since, '--dry-run', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({
      group,
      topic,
      dryRun: true,
      partitions: [
        { partition: 0, offset: '0' },
        { partition: 1, offset: '0' },
        { partition: 2, offset: '0' },
      ],
    });

    const rewound = await settle(['replay', '--kafka', '--since', since, '--yes']);
    expect(rewound.code, rewound.stderr).toBe(0);
    expect(rewound.stdout).toContain('rewound 3 partition(s)');
    const stored = await db.query<{ next_offset: number }>('SELECT next_offset FROM consumer_offsets WHERE group_id = ? ORDER BY kafka_partition', [group]);
    expect(stored.map((r) => Number(r.next_offset))).toEqual([0, 0, 0]);

    const reloaded = await settle(['consume', '--until-idle', '--json']);
    expect(reloaded.code, reloaded.stderr).toBe(0);
    expect(JSON.parse(reloaded.stdout)).toMatchObject({ records: rows.length, inserted: 7, updated: 0, unchanged: rows.length - 7 });
    expect(await totals()).toEqual(before);
  });

  it('refuses stored offsets past the end of the log (a recreated topic) instead of skipping, until a rewind resets them', async () => {
    const before = await totals();
    await db.query('DELETE FROM settlements WHERE transaction_key = (SELECT k FROM (SELECT MIN(transaction_key) AS k FROM settlements) AS t)');
    await db.query('UPDATE consumer_offsets SET next_offset = next_offset + 10000 WHERE group_id = ?', [group]);
    const refused = await settle(['consume', '--until-idle']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('STORED_OFFSET_BEYOND_LOG');
    expect(refused.stderr).toContain(`settle replay --kafka --since <instant> --group ${group}`);
    expect(Number((await totals())?.n)).toBe(rows.length - 1);

    expect((await settle(['replay', '--kafka', '--since', new Date(0).toISOString(), '--yes'])).code).toBe(0);
    const reloaded = await settle(['consume', '--until-idle', '--json']);
    expect(reloaded.code, reloaded.stderr).toBe(0);
    expect(JSON.parse(reloaded.stdout)).toMatchObject({ records: rows.length, inserted: 1, unchanged: rows.length - 1 });
    expect(await totals()).toEqual(before);
  });

  it('names a bad --since and needs --yes off a terminal', async () => {
    const bad = await settle(['replay', '--kafka', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be an ISO-8601 instant');
    const unconfirmed = await settle(['replay', '--kafka', '--since', new Date().toISOString()]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('pass --yes');
  });
});
