import type { CliRun } from '../../support/producer-cli.js';
import type { ScenarioResult } from './results.js';
import type { Scenario } from './scenario.js';

interface DateRow {
  d: string;
  n: number;
  amount: string;
  fee: string;
  payout: string;
}

/**
 * The proof after a scenario: MySQL holds exactly the expected rows (count, no key missing or extra or twice,
 * Σ amount/fee/payOutAmount per sold date, Σ crc32 over (transaction_key, amount, pay_out_amount)), and
 * `settle reconcile` agrees (Toss = Kafka = MySQL, exit 0). No secret appears in anything any process printed.
 */
export async function verifyScenario(s: Scenario, faults: string, notes: string): Promise<ScenarioResult> {
  const { expected } = s;
  const problems: string[] = [];
  const keys = await s.query<{ k: string }>('SELECT transaction_key AS k FROM settlements');
  const seen = new Set<string>();
  let doubled = 0;
  let extra = 0;
  for (const { k } of keys) {
    if (seen.has(k)) doubled += 1;
    else if (!expected.keys.has(k)) extra += 1;
    seen.add(k);
  }
  let lost = 0;
  for (const k of expected.keys) if (!seen.has(k)) lost += 1;

  const dates = await s.query<DateRow>('SELECT DATE_FORMAT(sold_date, "%Y-%m-%d") AS d, COUNT(*) AS n, SUM(amount) AS amount, SUM(fee) AS fee, SUM(pay_out_amount) AS payout FROM settlements GROUP BY sold_date');
  for (const [date, want] of expected.byDate) {
    const got = dates.find((r) => r.d === date);
    if (!got || Number(got.n) !== want.count || BigInt(got.amount) !== want.amount || BigInt(got.fee) !== want.fee || BigInt(got.payout) !== want.payOut)
      problems.push(`${date}: want ${want.count} rows, amount ${want.amount}, fee ${want.fee}, payOut ${want.payOut}; got ${got ? `${got.n}, ${got.amount}, ${got.fee}, ${got.payout}` : 'nothing'}`);
  }
  const [sum] = await s.query<{ c: string | null }>("SELECT SUM(CRC32(CONCAT(transaction_key, '|', amount, '|', pay_out_amount))) AS c FROM settlements");
  if (BigInt(sum?.c ?? 0) !== expected.checksum) problems.push(`checksum ${sum?.c ?? 0} ≠ ${expected.checksum}`);

  const reconcile = await s.settle(['reconcile', '--from', s.ctx.dataset.from, '--to', s.ctx.dataset.to, '--json']);
  if (reconcile.code !== 0) problems.push(`settle reconcile exited ${reconcile.code}: ${reconcile.stderr.split('\n').filter((l) => l.includes('RECONCILE') || l.includes('"level":50')).slice(0, 2).join(' ')}`);

  for (const c of s.consumers) if (c.failure) problems.push(`a consumer exited ${c.failure.code} (not restartable): ${lastError(c.failure)}`);
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
    verified,
    result: verified && lost === 0 && doubled + extra === 0 ? 'PASS' : 'FAIL',
    notes: [notes, ...problems].filter((n) => n !== '').join('; '),
  };
}

function secretsIn(runs: readonly CliRun[], secrets: readonly string[]): string | null {
  for (const run of runs)
    for (const secret of secrets)
      for (const [stream, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
        const at = text.indexOf(secret);
        if (at >= 0) return `${stream}: …${text.slice(Math.max(0, at - 80), at)}<secret>…`;
      }
  return null;
}

export function lastError(run: CliRun): string {
  const lines = run.stderr.trim().split('\n');
  return (lines.filter((l) => l.includes('settle:') || l.includes('"level":50')).at(-1) ?? lines.at(-1) ?? '').slice(0, 300);
}
