import type { ReconcileReport } from '../../../application/settlement/reconcile-window.js';
import type { KeyDifferences, SideTotals } from '../../../domain/settlement/reconciliation.js';
import { windowLabel } from '../../../domain/settlement/settlement-window.js';

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

const HEAD = ['date', 'status', ...['rows', 'amount', 'fee', 'payOutAmount'].flatMap((m) => ['api', 'kafka', 'mysql'].map((s) => `${s} ${m}`))];
const cells = (label: string, status: string, a: SideTotals, k: SideTotals, m: SideTotals): string[] => [
  label,
  status,
  ...(['rows', 'amount', 'fee', 'payOutAmount'] as const).flatMap((f) => [a[f], k[f], m[f]].map(String)),
];

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  // text left, numbers right
  return rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd());
}

export function reconcileText(r: ReconcileReport, all: boolean): string[] {
  const { result } = r;
  const executions = r.executions.length ? r.executions.map((e) => `${e.id} ${e.kind} ${e.status}`).join(', ') : 'none (no completed run or replay of this window)';
  const lines = [`reconcile ${windowLabel(r.window)}: run ${r.runId}; executions compared: ${executions}`, ''];
  lines.push(
    ...table([
      HEAD,
      ...result.dates.map((d) => cells(d.date, d.status, d.api, d.kafka, d.mysql)),
      cells('total', result.status, result.total.api, result.total.kafka, result.total.mysql),
    ]),
  );
  if (r.api.rejected > 0) lines.push('', `${r.api.rejected} row(s) Toss sent are refused by the processor (see the rejects topic): counted, not compared`);
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
  lines.push('', result.status === 'OK' ? 'OK: Toss, Kafka and MySQL agree' : 'MISMATCH: replay the window (settle replay --from … --to … --yes), let the loader catch up, then reconcile again');
  return lines;
}
