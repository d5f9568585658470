import { describe, expect, it } from 'vitest';
import { assertSecretNotPrinted, runSettle, type CliRun } from '../support/producer-cli.js';
import { readSettlements } from '../support/producer-kafka.js';
import { executionsOf } from '../support/producer-stack.js';
import { fault, generateSettlementRows } from '../support/toss-fake.js';
import { cliStack } from '../support/cli-stack.js';

const resized = generateSettlementRows({ count: 45, from: '2025-10-01', seed: 51 });
const capped = generateSettlementRows({ count: 50, from: '2025-10-02', seed: 52 });
const { secretKey, topic, db, fake, env } = cliStack('settle.e2e.guards', {
  rows: () => [...resized, ...capped],
  env: () => ({ TOSS_MAX_RETRIES: '0', LOG_LEVEL: 'info' }),
});

const settle = async (args: string[], overrides: Record<string, string> = {}): Promise<CliRun> =>
  assertSecretNotPrinted(await runSettle(args, { ...env, ...overrides }), secretKey);
const produce = (date: string, ...more: string[]) => ['produce', '--from', date, '--to', date, ...more];
const keysOf = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((r) => r.transactionKey as string).sort();

describe('settle produce keeps a window’s page size and stops a Toss that never ends it', () => {
  it('refuses (exit 2) to resume with a --page-size the rows done are not whole pages of, then resumes with one they are', async () => {
    fake.setFaults({ 3: [fault.serverError()] });
    const failed = await settle(produce('2025-10-01', '--page-size', '10', '--concurrency', '1'));
    expect(failed.code, failed.stderr).toBe(4);
    fake.setFaults({});
    const [first] = await executionsOf(db, '2025-10-01');
    expect(first).toMatchObject({ status: 'FAILED', last_page: 2 });

    const requests = fake.requests.length;
    const refused = await settle(produce('2025-10-01', '--page-size', '15'));
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('JOB_PAGE_SIZE_MISMATCH');
    expect(refused.stderr).toContain('page 2 of 10 rows (20 rows done)');
    expect(refused.stderr).toContain('--page-size 15 (TOSS_PAGE_SIZE)');
    expect(refused.stderr).toContain(`Rerun with --page-size 10`);
    expect(refused.stderr).toContain(`settle jobs abandon ${first?.id}`);
    expect(fake.requests.length).toBe(requests);

    // TOSS_PAGE_SIZE=20: 20 rows done are one page of 20
    const resumed = await settle(produce('2025-10-01', '--json'), { TOSS_PAGE_SIZE: '20' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ outcome: 'COMPLETED', resumedAfterPage: 1, counts: { rowsFetched: 25, rowsPublished: 25 } });
    const published = (await readSettlements(topic)).map((r) => r.value.transactionKey).filter((k) => keysOf(resized).includes(k));
    expect(published.sort()).toEqual(keysOf(resized));
  });

  it('--max-pages (and TOSS_MAX_PAGES) stop produce and replay at a window larger than allowed (exit 3) after publishing the pages within it', async () => {
    const stopped = await settle(produce('2025-10-02', '--page-size', '10', '--max-pages', '2'));
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(stopped.stderr).toContain('TOSS_PAGE_LIMIT_EXCEEDED');
    expect(stopped.stderr).toContain('page 3 of 2025-10-02..2025-10-02 (soldDate) still holds 10 row(s)');
    expect(stopped.stderr).toContain('--max-pages 2 (TOSS_MAX_PAGES)');
    const [failed] = await executionsOf(db, '2025-10-02');
    expect(failed).toMatchObject({ status: 'FAILED', last_page: 2, rows_published: 20 });

    const raised = await settle(produce('2025-10-02', '--page-size', '10'), { TOSS_MAX_PAGES: '6' });
    expect(raised.code, raised.stderr).toBe(0);
    expect(raised.stdout).toContain('(resumed after page 2)');

    const replay = await settle(['replay', '--from', '2025-10-02', '--to', '2025-10-02', '--yes', '--max-pages', '4'], { TOSS_PAGE_SIZE: '10' });
    expect(replay.code, replay.stderr).toBe(3);
    expect(replay.stderr).toContain('--max-pages 4 (TOSS_MAX_PAGES)');
  });

  it.each([
    ['produce', ...produce('2025-10-03').slice(1)],
    ['replay', '--from', '2025-10-03', '--to', '2025-10-03', '--yes'],
  ])('exits 2 on --max-pages 0, naming the flag: %s', async (...args) => {
    const requests = fake.requests.length;
    const run = await settle([...args, '--max-pages', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--max-pages must be between 1 and 1000000');
    expect(fake.requests.length).toBe(requests);
  });
});
