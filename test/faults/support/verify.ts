import { DATA_COLUMNS } from '../../../src/infrastructure/mysql/settlement-row.js';
import type { CliRun } from '../../support/producer-cli.js';
import { CANONICAL_NULL, CANONICAL_SEPARATOR } from './dataset.js';
import type { ScenarioResult } from './results.js';
import type { Scenario } from './scenario.js';

interface DateRow {
  d: string;
  n: number;
  amount: string;
  fee: string;
  payout: string;
}

/** Per stored row, its key and the crc32 of its canonical form (the same as rowDigest of the Toss row). */
const DIGEST_SQL = `SELECT transaction_key AS k, CRC32(CONCAT_WS(?, ${DATA_COLUMNS.map((c) => `COALESCE(${c}, ?)`).join(', ')})) AS c FROM settlements`;

/**
 * The proof after a scenario: MySQL holds exactly the expected rows (count, no key missing or extra or twice,
 * Σ amount/fee/payOutAmount per sold date, every business column of every row equal to Toss's by a per-row
 * digest), and `settle reconcile` agrees (Toss = Kafka = MySQL, exit 0). Counted beside it: the records in
 * Kafka beyond one per row (re-published pages), consumer restarts and produce reruns against the scenario's
 * bounds, and whether the fault was seen to hit (a scenario that says it missed fails). No secret appears in
 * anything any process printed.
 */
export async function verifyScenario(s: Scenario, faults: string, notes: string): Promise<ScenarioResult> {
  const { expected } = s;
  const problems: string[] = [...s.problems];
  const keys = await s.query<{ k: string; c: number | string }>(DIGEST_SQL, [CANONICAL_SEPARATOR, ...DATA_COLUMNS.map(() => CANONICAL_NULL)]);
  const seen = new Set<string>();
  let doubled = 0;
  let extra = 0;
  let differing = 0;
  const firstDiffering: string[] = [];
  for (const { k, c } of keys) {
    if (seen.has(k)) doubled += 1;
    else if (!expected.keys.has(k)) extra += 1;
    else if (expected.digests.get(k) !== Number(c)) {
      differing += 1;
      if (firstDiffering.length < 3) firstDiffering.push(k);
    }
    seen.add(k);
  }
  if (differing > 0) problems.push(`${differing} rows differ from Toss's (e.g. ${firstDiffering.join(', ')})`);
  let lost = 0;
  for (const k of expected.keys) if (!seen.has(k)) lost += 1;

  const dates = await s.query<DateRow>(
    'SELECT DATE_FORMAT(sold_date, "%Y-%m-%d") AS d, COUNT(*) AS n, SUM(amount) AS amount, SUM(fee) AS fee, SUM(pay_out_amount) AS payout FROM settlements GROUP BY sold_date',
  );
  for (const [date, want] of expected.byDate) {
    const got = dates.find((r) => r.d === date);
    if (!got || Number(got.n) !== want.count || BigInt(got.amount) !== want.amount || BigInt(got.fee) !== want.fee || BigInt(got.payout) !== want.payOut)
      problems.push(
        `${date}: want ${want.count} rows, amount ${want.amount}, fee ${want.fee}, payOut ${want.payOut}; got ${got ? `${got.n}, ${got.amount}, ${got.fee}, ${got.payout}` : 'nothing'}`,
      );
  }
  const published = [...(await s.highWatermarks()).values()].reduce((a, b) => a + b, 0) - s.ownRecords;
  const republished = published - expected.rows;
  if (republished < 0) problems.push(`the topic holds ${published} settle records, fewer than the ${expected.rows} rows`);
  const restarts = s.consumers.reduce((n, c) => n + c.restarts, 0);
  const reruns = Math.max(0, s.produceRuns - 1);
  if (restarts > s.bounds.restarts) problems.push(`${restarts} consumer restarts after exit 4, above the scenario's bound of ${s.bounds.restarts}`);
  if (reruns > s.bounds.reruns) problems.push(`${reruns} produce reruns, above the scenario's bound of ${s.bounds.reruns}`);

  const reconcile = await s.settle(['reconcile', '--from', s.ctx.dataset.from, '--to', s.ctx.dataset.to, '--json']);
  if (reconcile.code !== 0)
    problems.push(
      `settle reconcile exited ${reconcile.code}: ${reconcile.stderr
        .split('\n')
        .filter((l) => l.includes('RECONCILE') || l.includes('"level":50'))
        .slice(0, 2)
        .join(' ')}`,
    );

  for (const c of s.consumers)
    if (c.failure) problems.push(`a consumer exited ${c.failure.code} (not restartable, or past its restart bound): ${lastError(c.failure)}`);
  const runs: CliRun[] = [...s.runs, ...s.consumers.flatMap((c) => c.runs)];
  const leaked = secretsIn(runs, [s.ctx.secretKey, Buffer.from(`${s.ctx.secretKey}:`).toString('base64'), s.ctx.db.password]);
  if (leaked) problems.push(`a secret was printed: ${leaked}`);

  const verified = problems.length === 0;
  return {
    scenario: s.name,
    faults,
    expected: expected.rows,
    found: keys.length,
    lost,
    duplicated: doubled + extra,
    differing,
    republished,
    restarts,
    reruns,
    bounds: s.bounds,
    verified,
    result: verified && lost === 0 && doubled + extra === 0 && differing === 0 ? 'PASS' : 'FAIL',
    notes: [notes, ...problems].filter((n) => n !== '').join('; '),
  };
}

function secretsIn(runs: readonly CliRun[], secrets: readonly string[]): string | null {
  for (const run of runs)
    for (const secret of secrets)
      for (const [stream, text] of [
        ['stdout', run.stdout],
        ['stderr', run.stderr],
      ] as const) {
        const at = text.indexOf(secret);
        if (at >= 0) return `${stream}: …${text.slice(Math.max(0, at - 80), at)}<secret>…`;
      }
  return null;
}

export function lastError(run: CliRun): string {
  const lines = run.stderr.trim().split('\n');
  return (lines.filter((l) => l.includes('settle:') || l.includes('"level":50')).at(-1) ?? lines.at(-1) ?? '').slice(0, 300);
}
