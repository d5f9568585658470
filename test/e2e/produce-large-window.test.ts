import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSecretNotPrinted, requireBuild, runSettle, type CliRun } from '../support/producer-cli.js';
import { testSecretKey } from '../support/producer-stack.js';
import { startFastTossFake } from '../support/toss-fake.js';

/**
 * A window of more than 2,000 full pages with default settings: no TOSS_MAX_PAGES, no --max-pages, no
 * TOSS_MAX_ROWS_PER_DAY (the CLI gets only the settle variables given here). 21,000 rows in pages of 10 are 2,100
 * full pages, then the empty page 2,101 that ends the window: past the 2,000 pages a run was once limited to (a
 * 100-million-row day is 20,000 pages of 5,000). Dry runs: Toss is all they need. The fast fake serves the pages (the
 * test fake's per-request filtering of 21,000 rows would take most of the time); each page's keys carry its page number.
 */
const secretKey = testSecretKey();
const DATE = '2025-11-03';
let fake: Awaited<ReturnType<typeof startFastTossFake>>;
let env: Record<string, string>;

const settle = async (args: string[], overrides: Record<string, string> = {}): Promise<CliRun> =>
  assertSecretNotPrinted(await runSettle(args, { ...env, ...overrides }), secretKey);
const dryRun = ['produce', '--from', DATE, '--to', DATE, '--dry-run', '--json'];

beforeAll(async () => {
  requireBuild();
  fake = await startFastTossFake({ rows: 21_000, pageSize: 10, secretKey, soldDate: DATE });
  env = { TOSS_API_BASE_URL: fake.url, TOSS_SECRET_KEY: secretKey, TOSS_PAGE_SIZE: '10', TOSS_MAX_RETRIES: '0', LOG_LEVEL: 'warn' };
});

afterAll(async () => {
  await fake?.close();
});

describe('settle produce has no built-in 2,000-page ceiling', () => {
  it('fetches a window of 2,100 full pages with default settings and completes (exit 0): 2,101 pages, 21,000 rows', async () => {
    expect(fake.pages).toBe(2_100);
    const before = fake.requests.length;
    const run = await settle(dryRun);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'DRY_RUN', counts: { pages: 2_101, rowsFetched: 21_000, rowsPublished: 0, rowsRejected: 0 } });
    // pages 1..2,101, page 2,101 once more to confirm the end (1 request: the empty page holds no rows, so no next
    // page is asked), and at most TOSS_CONCURRENCY − 1 (3) prefetched past the empty one
    expect(fake.requests.length - before).toBeGreaterThanOrEqual(2_101 + 1);
    expect(fake.requests.length - before).toBeLessThanOrEqual(2_101 + 1 + 3);
    expect(run.stderr).not.toContain('TOSS_PAGE_LIMIT_EXCEEDED');
  });

  it('an explicit TOSS_MAX_PAGES still stops the same window (exit 3), naming it', async () => {
    const run = await settle(dryRun, { TOSS_MAX_PAGES: '2000' });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('TOSS_PAGE_LIMIT_EXCEEDED');
    expect(run.stderr).toContain(`page 2001 of ${DATE}..${DATE} (soldDate) still holds 10 row(s)`);
    expect(run.stderr).toContain('--max-pages 2000 (TOSS_MAX_PAGES)');
  });

  it('a lower TOSS_MAX_ROWS_PER_DAY lowers the derived limit (exit 3), and the error says which limit applied and how to raise it', async () => {
    // 15,000 rows a day × 1 day ÷ 10 rows a page: 1,500 pages
    const run = await settle(dryRun, { TOSS_MAX_ROWS_PER_DAY: '15000' });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain(`page 1501 of ${DATE}..${DATE} (soldDate) still holds 10 row(s)`);
    expect(run.stderr).toContain('more than 1500 pages of 10 rows, the limit derived from TOSS_MAX_ROWS_PER_DAY 15000 × 1 day(s) ÷ 10 rows a page');
    expect(run.stderr).toContain('rerun with a higher TOSS_MAX_ROWS_PER_DAY');
  });

  it('refuses (exit 2) a TOSS_MAX_ROWS_PER_DAY that is not a whole number ≥ 1, naming it, before calling Toss', async () => {
    const before = fake.requests.length;
    const run = await settle(dryRun, { TOSS_MAX_ROWS_PER_DAY: '0' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('TOSS_MAX_ROWS_PER_DAY must be ≥ 1');
    expect(fake.requests.length).toBe(before);
  });
});
