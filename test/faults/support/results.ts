import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ROOT } from '../../support/producer-cli.js';

/** One line of the suite's table. */
export interface ScenarioResult {
  readonly scenario: string;
  /** What was injected, with the moment (rows stored / pages published at injection). */
  readonly faults: string;
  readonly expected: number;
  readonly found: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Per-date sums and the checksum agree, and `settle reconcile` exited 0. */
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
    .map((l) => JSON.parse(l) as ScenarioResult);
}

const COLUMNS = ['scenario', 'faults injected', 'expected', 'found', 'lost', 'duplicated', 'result'] as const;

/** A Markdown table (it goes into the README as it is printed). */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => [r.scenario, r.faults, String(r.expected), String(r.found), String(r.lost), String(r.duplicated), r.result + (r.verified ? '' : ' (sums/reconcile)')]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  return [line(COLUMNS), `|${widths.map((w, i) => (i >= 2 && i <= 5 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...rows.map(line)].join('\n');
}
