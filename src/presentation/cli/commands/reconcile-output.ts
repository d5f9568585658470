import type { ReconcileReport } from '../../../application/settlement/reconcile-window.js';
import type { KeyDifferences, SideTotals } from '../../../domain/settlement/reconciliation.js';
import { windowLabel } from '../../../domain/settlement/settlement-window.js';
import { outputWidth, renderTable, wrapText, type Cell, type Column } from '../table.js';

/** Keys listed per side and kind unless --all. */
export const KEYS_SHOWN = 20;

const SIDES = [
  ['kafka', 'Kafka'],
  ['mysql', 'MySQL'],
] as const;
const KINDS = [
  ['missing', 'missing from'],
  ['extra', 'extra in'],
  ['changed', 'different money in'],
] as const;

const bounded = (keys: readonly string[], all: boolean) => ({ count: keys.length, keys: all ? [...keys] : keys.slice(0, KEYS_SHOWN) });
const boundedDiff = (d: KeyDifferences, all: boolean) => ({ missing: bounded(d.missing, all), extra: bounded(d.extra, all), changed: bounded(d.changed, all) });

export function reconcileJson(r: ReconcileReport, all: boolean): string {
  const { result } = r;
  return JSON.stringify({
    runId: r.runId,
    window: r.window,
    status: result.status,
    executions: r.executions.map((e) => ({ id: e.id, kind: e.kind, status: e.status, startedAt: e.startedAt })),
    api: r.api,
    kafkaRecords: r.kafkaRecords,
    total: result.total,
    dates: result.dates.map((d) => ({ date: d.date, status: d.status, api: d.api, kafka: d.kafka, mysql: d.mysql })),
    differences: { kafka: boundedDiff(result.kafkaDiff, all), mysql: boundedDiff(result.mysqlDiff, all) },
  });
}

const MEASURES = ['rows', 'amount', 'fee', 'payOutAmount'] as const;
const COLUMNS: readonly Column[] = [
  { header: 'date' },
  { header: 'status' },
  { header: 'measure' },
  ...['api', 'kafka', 'mysql'].map((h): Column => ({ header: h, align: 'right' })),
  { header: '' },
];

/**
 * Per date one line for each measure, the three sides next to each other (what is compared): narrow at any size of
 * amount, and a differing measure is marked. The date and its status stand on the first (rows) line.
 */
const dateRows = (label: string, status: string, a: SideTotals, k: SideTotals, m: SideTotals): Cell[][] =>
  MEASURES.map((f, i) => [i === 0 ? label : '', i === 0 ? status : '', f, a[f], k[f], m[f], a[f] === k[f] && k[f] === m[f] ? '' : '≠ differs']);

export function reconcileText(r: ReconcileReport, all: boolean, width = outputWidth()): string[] {
  const { result } = r;
  const executions = r.executions.length
    ? r.executions.map((e) => `${e.id} ${e.kind} ${e.status}`).join(', ')
    : 'none (no completed run or replay of this window)';
  const lines = [...wrapText(`reconcile ${windowLabel(r.window)}: run ${r.runId}; executions compared: ${executions}`, width), ''];
  lines.push(
    ...renderTable(
      COLUMNS,
      [
        ...result.dates.flatMap((d) => dateRows(d.date, d.status, d.api, d.kafka, d.mysql)),
        ...dateRows('total', result.status, result.total.api, result.total.kafka, result.total.mysql),
      ],
      { width },
    ),
  );
  if (r.api.rejected > 0)
    lines.push('', ...wrapText(`${r.api.rejected} row(s) Toss sent are refused by the processor (see the rejects topic): counted, not compared`, width));
  for (const [side, sideName] of SIDES) {
    const diff = side === 'kafka' ? result.kafkaDiff : result.mysqlDiff;
    for (const [kind, kindName] of KINDS) {
      const keys = diff[kind];
      if (keys.length === 0) continue;
      const shown = all ? keys : keys.slice(0, KEYS_SHOWN);
      lines.push('', `${kindName} ${sideName} (${keys.length}):`, ...shown.map((k) => `  ${k}`));
      if (shown.length < keys.length) lines.push(`  … ${keys.length - shown.length} more (--all lists every key)`);
    }
  }
  lines.push(
    '',
    ...wrapText(
      result.status === 'OK'
        ? 'OK: Toss, Kafka and MySQL agree'
        : 'MISMATCH: replay the window (settle replay --from … --to … --yes), let the loader catch up, then reconcile again',
      width,
    ),
  );
  return lines;
}
