/**
 * The pure comparison behind `settle reconcile`: Toss (the truth) against what was published to Kafka and what
 * MySQL holds, per date of the window. Each side is a map transactionKey → the row's date and money; a key is
 * "missing" from a side when Toss has it and the side does not, "extra" when the side has it and Toss does not,
 * and "changed" when both have it on the same date with different money.
 */
export interface ReconciledRow {
  /** The row's soldDate or paidOutDate (whichever the window filters on), yyyy-MM-dd. */
  readonly date: string;
  readonly amount: number;
  /** Toss leaves fee out on some rows: counted as 0, as SQL's SUM does with NULL. */
  readonly fee: number;
  readonly payOutAmount: number;
}

export type SideRows = ReadonlyMap<string, ReconciledRow>;

export interface SideTotals {
  readonly rows: number;
  readonly amount: number;
  readonly fee: number;
  readonly payOutAmount: number;
}

/** Keys of one checked side (Kafka or MySQL) that disagree with Toss. */
export interface KeyDifferences {
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  readonly changed: readonly string[];
}

export type ReconcileStatus = 'OK' | 'MISMATCH';

export interface DateReconciliation {
  readonly date: string;
  readonly status: ReconcileStatus;
  readonly api: SideTotals;
  readonly kafka: SideTotals;
  readonly mysql: SideTotals;
  readonly kafkaDiff: KeyDifferences;
  readonly mysqlDiff: KeyDifferences;
}

export interface Reconciliation {
  readonly status: ReconcileStatus;
  /** Dates that have a row on any side, ascending. */
  readonly dates: readonly DateReconciliation[];
  readonly total: { readonly api: SideTotals; readonly kafka: SideTotals; readonly mysql: SideTotals };
  /** Every date's differences together, keys sorted. */
  readonly kafkaDiff: KeyDifferences;
  readonly mysqlDiff: KeyDifferences;
}

export const ZERO_TOTALS: SideTotals = { rows: 0, amount: 0, fee: 0, payOutAmount: 0 };

const add = (t: SideTotals, r: ReconciledRow): SideTotals => ({
  rows: t.rows + 1,
  amount: t.amount + r.amount,
  fee: t.fee + r.fee,
  payOutAmount: t.payOutAmount + r.payOutAmount,
});
const sum = (a: SideTotals, b: SideTotals): SideTotals => ({
  rows: a.rows + b.rows,
  amount: a.amount + b.amount,
  fee: a.fee + b.fee,
  payOutAmount: a.payOutAmount + b.payOutAmount,
});
const sameMoney = (a: ReconciledRow, b: ReconciledRow): boolean => a.amount === b.amount && a.fee === b.fee && a.payOutAmount === b.payOutAmount;
const isClean = (d: KeyDifferences): boolean => d.missing.length === 0 && d.extra.length === 0 && d.changed.length === 0;
const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function groupByDate(rows: SideRows): Map<string, Map<string, ReconciledRow>> {
  const out = new Map<string, Map<string, ReconciledRow>>();
  for (const [key, row] of rows) {
    let day = out.get(row.date);
    if (!day) out.set(row.date, (day = new Map()));
    day.set(key, row);
  }
  return out;
}

const totalsOf = (rows: ReadonlyMap<string, ReconciledRow> | undefined): SideTotals => [...(rows?.values() ?? [])].reduce(add, ZERO_TOTALS);

/** A key on another date than Toss's shows up as missing on Toss's date and extra on the side's date. */
function differences(api: ReadonlyMap<string, ReconciledRow>, side: ReadonlyMap<string, ReconciledRow>): KeyDifferences {
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [key, row] of api) {
    const other = side.get(key);
    if (!other) missing.push(key);
    else if (!sameMoney(row, other)) changed.push(key);
  }
  const extra = [...side.keys()].filter((key) => !api.has(key));
  return { missing: missing.sort(byCode), extra: extra.sort(byCode), changed: changed.sort(byCode) };
}

const merge = (parts: readonly KeyDifferences[]): KeyDifferences => ({
  missing: parts.flatMap((d) => d.missing).sort(byCode),
  extra: parts.flatMap((d) => d.extra).sort(byCode),
  changed: parts.flatMap((d) => d.changed).sort(byCode),
});

export function reconcile(sides: { readonly api: SideRows; readonly kafka: SideRows; readonly mysql: SideRows }): Reconciliation {
  const api = groupByDate(sides.api);
  const kafka = groupByDate(sides.kafka);
  const mysql = groupByDate(sides.mysql);
  const empty = new Map<string, ReconciledRow>();
  const dates = [...new Set([...api.keys(), ...kafka.keys(), ...mysql.keys()])].sort(byCode).map((date): DateReconciliation => {
    const a = api.get(date) ?? empty;
    const kafkaDiff = differences(a, kafka.get(date) ?? empty);
    const mysqlDiff = differences(a, mysql.get(date) ?? empty);
    return {
      date,
      status: isClean(kafkaDiff) && isClean(mysqlDiff) ? 'OK' : 'MISMATCH',
      api: totalsOf(a),
      kafka: totalsOf(kafka.get(date)),
      mysql: totalsOf(mysql.get(date)),
      kafkaDiff,
      mysqlDiff,
    };
  });
  return {
    status: dates.every((d) => d.status === 'OK') ? 'OK' : 'MISMATCH',
    dates,
    total: {
      api: dates.map((d) => d.api).reduce(sum, ZERO_TOTALS),
      kafka: dates.map((d) => d.kafka).reduce(sum, ZERO_TOTALS),
      mysql: dates.map((d) => d.mysql).reduce(sum, ZERO_TOTALS),
    },
    kafkaDiff: merge(dates.map((d) => d.kafkaDiff)),
    mysqlDiff: merge(dates.map((d) => d.mysqlDiff)),
  };
}

/** Only the rows whose date falls in [from, to] (inclusive, yyyy-MM-dd compares as text). */
export function withinDates(rows: SideRows, from: string, to: string): Map<string, ReconciledRow> {
  return new Map([...rows].filter(([, r]) => r.date >= from && r.date <= to));
}
