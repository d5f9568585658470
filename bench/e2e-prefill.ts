import type { Connection, RowDataPacket } from 'mysql2/promise';
import { ALL_COLUMNS } from '../src/infrastructure/mysql/settlement-row.js';

/**
 * Pre-fills `settlements` with `rows` rows of EARLIER sold dates than the measured window (the 60 days before
 * it), fast and whatever the table's current DDL: the secondary indexes are read from
 * information_schema.statistics, dropped (PRIMARY stays; partitioning is never touched), the rows are
 * inserted by INSERT … SELECT (from MariaDB's Sequence engine, else by doubling the table), and the same indexes are re-created in one ALTER (InnoDB builds
 * them by sorting). Keys are UPPER(MD5(…)): random-looking like Toss's, never sequential, so the index
 * B-trees the measured run inserts into are shaped like production's. Deterministic: the same call fills
 * two databases with the same rows.
 */
/** The pre-filled rows' sold dates: the PREFILL_DAYS days before the window. */
export const PREFILL_DAYS = 60;

export interface IndexDef {
  readonly name: string;
  readonly unique: boolean;
  readonly type: string;
  readonly parts: ReadonlyArray<{ readonly column: string; readonly subPart: number | null; readonly desc: boolean }>;
}

interface StatRow extends RowDataPacket {
  INDEX_NAME: string;
  NON_UNIQUE: number | string;
  SEQ_IN_INDEX: number;
  COLUMN_NAME: string;
  SUB_PART: number | null;
  COLLATION: string | null;
  INDEX_TYPE: string;
}

export function indexesFromStatistics(
  rows: ReadonlyArray<Pick<StatRow, 'INDEX_NAME' | 'NON_UNIQUE' | 'SEQ_IN_INDEX' | 'COLUMN_NAME' | 'SUB_PART' | 'COLLATION' | 'INDEX_TYPE'>>,
): IndexDef[] {
  const byName = new Map<string, { unique: boolean; type: string; parts: Array<{ seq: number; column: string; subPart: number | null; desc: boolean }> }>();
  for (const r of rows) {
    if (r.INDEX_NAME === 'PRIMARY') continue;
    const def = byName.get(r.INDEX_NAME) ?? { unique: Number(r.NON_UNIQUE) === 0, type: r.INDEX_TYPE, parts: [] };
    def.parts.push({ seq: Number(r.SEQ_IN_INDEX), column: r.COLUMN_NAME, subPart: r.SUB_PART === null ? null : Number(r.SUB_PART), desc: r.COLLATION === 'D' });
    byName.set(r.INDEX_NAME, def);
  }
  return [...byName].map(([name, d]) => ({
    name,
    unique: d.unique,
    type: d.type,
    parts: d.parts.sort((a, b) => a.seq - b.seq).map(({ column, subPart, desc }) => ({ column, subPart, desc })),
  }));
}

const id = (name: string) => `\`${name.replaceAll('`', '``')}\``;

export function addIndexClause(ix: IndexDef): string {
  const kind = ix.type === 'FULLTEXT' ? 'FULLTEXT INDEX' : ix.type === 'SPATIAL' ? 'SPATIAL INDEX' : ix.unique ? 'UNIQUE INDEX' : 'INDEX';
  const parts = ix.parts.map((p) => `${id(p.column)}${p.subPart ? `(${p.subPart})` : ''}${p.desc ? ' DESC' : ''}`).join(', ');
  return `ADD ${kind} ${id(ix.name)} (${parts})`;
}

export async function secondaryIndexes(conn: Connection, database: string, table = 'settlements'): Promise<IndexDef[]> {
  const [rows] = await conn.query<StatRow[]>(
    'SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX',
    [database, table],
  );
  return indexesFromStatistics(rows);
}

/**
 * The expression of each column for generated row n (`@n` stands for the SQL expression of its number). Keys are
 * MD5 of the number (unique for distinct n), sold dates the 60 days before the window, the rest copied from
 * a realistic row. A column the store writes but this map does not know (a DDL change) gets the template's value.
 */
export function prefillExpressions(windowDate: string, n: string, template: Readonly<Record<string, string | number | null>>): string[] {
  const soldDate = `DATE_SUB(${q(windowDate)}, INTERVAL 1 + (${n}) MOD ${PREFILL_DAYS} DAY)`;
  const own: Record<string, string> = {
    transaction_key: `UPPER(MD5(CONCAT('t', ${n})))`,
    payment_key: `UPPER(MD5(CONCAT('p', (${n}) DIV 2)))`, // a cancel shares its approval's payment key, as in the generator
    order_id: `CONCAT('ORD-P-', ${n})`,
    sold_date: soldDate,
    paid_out_date: `DATE_ADD(${soldDate}, INTERVAL 4 DAY)`,
    approved_at_utc: `TIMESTAMP(${soldDate}, SEC_TO_TIME((${n}) MOD 86400))`,
    source_offset: `(${n})`,
  };
  return ALL_COLUMNS.map((c) => own[c] ?? q(template[c] ?? null));
}

function q(v: string | number | null): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return String(v);
  return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

async function hasSequenceEngine(conn: Connection): Promise<boolean> {
  try {
    await conn.query('SELECT seq FROM seq_0_to_0');
    return true;
  } catch {
    return false;
  }
}

export interface PrefillResult {
  readonly rows: number;
  readonly seconds: number;
  readonly fillSeconds: number;
  readonly indexSeconds: number;
  readonly indexes: readonly string[];
}

/**
 * `conn` must be on `database`. `template`: one row as the store writes it (column → value). Fills by doubling:
 * one seed row, then INSERT … SELECT of the rows so far with the number shifted (n + count), until `rows`.
 */
export async function prefill(
  conn: Connection,
  database: string,
  rows: number,
  windowDate: string,
  template: Readonly<Record<string, string | number | null>>,
  say: (line: string) => void,
): Promise<PrefillResult> {
  const t0 = performance.now();
  if (rows <= 0) return { rows: 0, seconds: 0, fillSeconds: 0, indexSeconds: 0, indexes: [] };
  const indexes = await secondaryIndexes(conn, database);
  if (indexes.length > 0) await conn.query(`ALTER TABLE settlements ${indexes.map((ix) => `DROP INDEX ${id(ix.name)}`).join(', ')}`);
  await conn.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
  const cols = ALL_COLUMNS.map(id).join(', ');
  if (await hasSequenceEngine(conn)) {
    // MariaDB's Sequence engine: INSERT … SELECT from seq_a_to_b, 1,000,000 rows a statement (no temporary
    // table, unlike a table selecting from itself)
    for (let from = 0; from < rows; from += 1_000_000) {
      const to = Math.min(rows, from + 1_000_000) - 1;
      await conn.query(`INSERT INTO settlements (${cols}) SELECT ${prefillExpressions(windowDate, 'seq', template).join(', ')} FROM seq_${from}_to_${to}`);
      say(`  prefill: ${to + 1} rows`);
    }
  } else {
    // doubling; source_offset carries n (0-based): row n+count is made from row n
    await conn.query(`INSERT INTO settlements (${cols}) SELECT ${prefillExpressions(windowDate, '0', template).join(', ')}`);
    let count = 1;
    while (count < rows) {
      const take = Math.min(count, rows - count);
      const n = `source_offset + ${count}`;
      await conn.query(
        `INSERT INTO settlements (${cols}) SELECT ${prefillExpressions(windowDate, n, template).join(', ')} FROM settlements WHERE source_offset < ${take} AND sold_date < ${q(windowDate)}`,
      );
      count += take;
      if (count >= 1_000_000) say(`  prefill: ${count} rows`);
    }
  }
  const t1 = performance.now();
  if (indexes.length > 0) await conn.query(`ALTER TABLE settlements ${indexes.map(addIndexClause).join(', ')}`);
  await conn.query('SET SESSION unique_checks = 1, foreign_key_checks = 1');
  const t2 = performance.now();
  return { rows, seconds: (t2 - t0) / 1000, fillSeconds: (t1 - t0) / 1000, indexSeconds: (t2 - t1) / 1000, indexes: indexes.map((ix) => ix.name) };
}
