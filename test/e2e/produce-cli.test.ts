import { describe, expect, it } from 'vitest';
import { assertSecretNotPrinted, runSettle, type CliRun } from '../support/producer-cli.js';
import { countRecords, readRejects } from '../support/producer-kafka.js';
import { generateSettlementRows, type TossRow } from '../support/toss-fake.js';
import { cliStack } from '../support/cli-stack.js';

// three sold dates: a dry run, a run with rejects, a run allowed its rejects
const rows = generateSettlementRows({ count: 360, from: '2025-07-01', days: 3, seed: 9 });
for (const i of [130, 170, 250, 290]) delete (rows[i] as TossRow).orderId;
const { secretKey, topic, db, fake, env } = cliStack('settle.e2e.cli', { rows: () => rows, env: () => ({ LOG_LEVEL: 'debug' }) });

const settle = async (args: string[], overrides: Record<string, string | undefined> = {}): Promise<CliRun> => {
  const merged = Object.fromEntries(Object.entries({ ...env, ...overrides }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return assertSecretNotPrinted(await runSettle(args, merged), secretKey);
};
const produce = (from: string, ...more: string[]) => ['produce', '--from', from, '--to', from, '--page-size', '50', ...more];

describe('settle produce from the shell', () => {
  it('--dry-run fetches and validates the window but publishes and records nothing', async () => {
    const run = await settle(produce('2025-07-01', '--dry-run', '--json'));
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'DRY_RUN',
      executionId: null,
      counts: { pages: 3, rowsFetched: 120, rowsPublished: 0, rowsRejected: 0 },
    });
    expect(fake.requests.length).toBeGreaterThanOrEqual(3);
    expect(await countRecords(topic)).toBe(0);
    expect(await db.query('SELECT id FROM job_instances')).toEqual([]);
  });

  it('exits 3 when rows are rejected, naming each rejected row, after publishing the valid ones', async () => {
    const run = await settle(produce('2025-07-02'));
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/^COMPLETED_WITH_REJECTS window 2025-07-02/);
    expect(run.stdout).toContain('published 118  rejected 2');
    for (const i of [130, 170]) expect(run.stdout).toContain(`rejected ${String((rows[i] as TossRow).transactionKey)}: orderId is required`);
    expect(await countRecords(topic)).toBe(118);
    expect((await readRejects(topic)).map((r) => r.value.field)).toEqual(['orderId', 'orderId']);
  });

  it('exits 0 when the rejects are within --max-rejects', async () => {
    const run = await settle(produce('2025-07-03', '--max-rejects', '2', '--json'));
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'COMPLETED', counts: { rowsPublished: 118, rowsRejected: 2 } });
  });

  it('warns, and still runs, when the payout window it computes reaches a year past the holiday data it trusts', async () => {
    // 2030-03-04 pays out sold dates of 2030: years past any horizon this release can have verified
    const run = await settle(['produce', '--payout-date', '2030-03-04', '--dry-run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { outcome: string; calendarHorizon: { pastHorizon: boolean; yearsPast: number[]; verifiedThroughYear: number } };
    expect(summary.outcome).toBe('DRY_RUN');
    expect(summary.calendarHorizon).toMatchObject({ pastHorizon: true, yearsPast: [2030] });
    const warnings = run.stderr.split('\n').filter((l) => l.includes('CALENDAR_PAST_HORIZON'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('config/holidays.json');
    // a payout inside the verified years: no warning
    const inside = await settle(['produce', '--payout-date', '2025-07-04', '--dry-run', '--json']);
    expect(inside.code, inside.stderr).toBe(0);
    expect(JSON.parse(inside.stdout)).toMatchObject({ calendarHorizon: { pastHorizon: false, yearsPast: [] } });
    expect(inside.stderr).not.toContain('CALENDAR_PAST_HORIZON');
  });

  it.each([
    [['--from', '2025-13-01', '--to', '2025-13-02'], '--from'],
    [['--from', '2025-07-01', '--to', '2025-07-01', '--page-size', '6000'], '--page-size'],
    [['--from', '2025-07-01', '--to', '2025-07-01', '--date-type', 'foo'], '--date-type'],
    [['--from', '2025-07-01'], '--to'],
  ])('exits 2 on bad flags and names the flag: %j', async (flags, flag) => {
    const before = fake.requests.length;
    const run = await settle(['produce', ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
    expect(fake.requests.length).toBe(before);
  });

  it('exits 2 listing every missing environment variable at once', async () => {
    const run = await settle(produce('2025-07-01'), {
      TOSS_SECRET_KEY: undefined,
      KAFKA_BROKERS: undefined,
      SCHEMA_REGISTRY_URL: undefined,
      MYSQL_URL: undefined,
    });
    expect(run.code).toBe(2);
    for (const name of ['TOSS_SECRET_KEY', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'MYSQL_URL']) expect(run.stderr).toContain(name);
  });

  it('exits 2 on a malformed secret key without printing it', async () => {
    const wrong = `sk_${secretKey}`;
    const run = assertSecretNotPrinted(await settle(produce('2025-07-01'), { TOSS_SECRET_KEY: wrong, KAFKA_BROKERS: undefined }), wrong);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('TOSS_SECRET_KEY must be a secret key');
    expect(run.stderr).toContain('KAFKA_BROKERS is required');
  });
});
