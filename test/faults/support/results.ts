import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ROOT } from '../../support/producer-cli.js';

/**
 * What a scenario may spend recovering, stated with the scenario: consumer restarts after an exit 4 (the
 * supervisor stops restarting past it) and produce runs after the first (reruns after an exit 4, or the reruns
 * the scenario itself makes). Above either, the scenario fails: recovering by luck after a crash loop is not
 * recovering.
 */
export interface Bounds {
  readonly restarts: number;
  readonly reruns: number;
}

/** One line of the suite's table. */
export interface ScenarioResult {
  readonly scenario: string;
  /** What was injected, with the moment (rows stored / pages published at injection). */
  readonly faults: string;
  readonly expected: number;
  readonly found: number;
  readonly lost: number;
  /** Rows in MySQL twice, or rows no one expected. */
  readonly duplicated: number;
  /** Rows stored whose business columns differ from Toss's row (per-row digest over a canonical form). */
  readonly differing: number;
  /** Records in the settlement topic beyond one per expected row (pages published again after a crash: a cost, not a fault). */
  readonly republished: number;
  readonly restarts: number;
  readonly reruns: number;
  readonly bounds: Bounds;
  /** Per-date sums and row digests agree, `settle reconcile` exited 0, the fault was seen to hit, bounds held. */
  readonly verified: boolean;
  readonly result: 'PASS' | 'FAIL';
  readonly notes: string;
}

export const RESULTS_FILE = process.env.FAULTS_RESULTS_FILE ?? `${ROOT}.stack-faults/results.jsonl`;

export function recordResult(r: ScenarioResult): void {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  appendFileSync(RESULTS_FILE, `${JSON.stringify(r)}\n`);
}

export function readResults(): ScenarioResult[] {
  if (!existsSync(RESULTS_FILE)) return [];
  return readFileSync(RESULTS_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ScenarioResult)
    .sort((a, b) => a.scenario.localeCompare(b.scenario, 'en', { numeric: true }));
}

const COLUMNS = [
  'scenario',
  'faults injected',
  'expected',
  'found',
  'lost',
  'duplicated',
  'differing',
  're-published',
  'restarts (≤)',
  'reruns (≤)',
  'result',
] as const;
const NUMERIC = new Set([2, 3, 4, 5, 6, 7, 8, 9]);

/** A Markdown table, scenarios in order (it goes into docs/reliability.md as it is printed). */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => [
    r.scenario,
    r.faults,
    String(r.expected),
    String(r.found),
    String(r.lost),
    String(r.duplicated),
    String(r.differing),
    String(r.republished),
    `${r.restarts} (${r.bounds.restarts})`,
    `${r.reruns} (${r.bounds.reruns})`,
    r.result + (r.verified ? '' : ' (see notes)'),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (NUMERIC.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  return [line(COLUMNS), `|${widths.map((w, i) => (NUMERIC.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...rows.map(line)].join('\n');
}
