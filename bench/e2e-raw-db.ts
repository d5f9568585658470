import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import mysql, { type Connection } from 'mysql2/promise';
import type { Settlement } from '../src/domain/settlement/settlement.js';
import { validateSettlement } from '../src/domain/settlement/validate-settlement.js';
import type { Config } from '../src/infrastructure/config/config.js';
import { Secret } from '../src/infrastructure/config/secret.js';
import { MySqlSettlementStore } from '../src/infrastructure/mysql/mysql-settlement-store.js';
import { ALL_COLUMNS, toSettlementRow, type SqlValue } from '../src/infrastructure/mysql/settlement-row.js';
import { escapeTsvText } from '../src/infrastructure/mysql/settlement-load-data.js';
import { createSettlementStorePool } from '../src/infrastructure/mysql/settlement-store-pool.js';
import type { TossPages } from '../test/support/toss-pages.js';
import { keyTemplate, patchKey, patchPage } from '../test/support/key-template.js';

/**
 * The machine's limit for loading a settlement day into MySQL, without Kafka: the same generator and row
 * shapes as the fake serves (realistic keys, another key salt per method so nothing collides), mapped as the
 * store maps them (toSettlementRow), loaded three ways: LOAD DATA LOCAL INFILE of a TSV, the store's own
 * multi-row upsert (MySqlSettlementStore, like raw-baseline.ts), and INSERT … SELECT from a staging table. Only the load itself is timed; writing the TSV and filling the staging table are not.
 */
export const RAW_METHODS = ['loadData', 'storeUpsert', 'insertSelect'] as const;
export type RawMethod = (typeof RAW_METHODS)[number];

const SOURCE = { topic: 'raw', partition: 0, offset: 0, timestamp: 0 };

function templateSettlements(rows: readonly Record<string, unknown>[]): Settlement[] {
  return rows.map((r) => {
    const v = validateSettlement(r);
    if (!v.ok) throw new Error(`generated row rejected: ${v.rejection.reason}`);
    return v.value;
  });
}

/** A TSV field in LOAD DATA's default escaping (\N for NULL). */
export function tsvField(v: SqlValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return escapeTsvText(v);
}

export const tsvLine = (values: readonly SqlValue[]): string => `${values.map(tsvField).join('\t')}\n`;

/** Writes every page's rows as TSV (ALL_COLUMNS order) to `path`: one template per page shape, keys patched per page. */
export async function writeTsv(pages: TossPages, salt: number, path: string): Promise<number> {
  const out = createWriteStream(path);
  let rows = 0;
  for (const t of pages.templates) {
    const tsv = keyTemplate(
      templateSettlements(t.rows)
        .map((s) => tsvLine(toSettlementRow(s, SOURCE)))
        .join(''),
    );
    for (let page = t.firstPage; page <= t.lastPage; page++) {
      if (!out.write(patchPage(tsv, salt, page))) await once(out, 'drain');
      rows += t.rows.length;
    }
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

const cols = ALL_COLUMNS.map((c) => `\`${c}\``).join(', ');

async function loadTsv(conn: Connection, table: string, path: string): Promise<void> {
  await conn.query({
    sql: `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE \`${table}\` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${cols})`,
    infileStreamFactory: () => createReadStream(path),
  });
}

export interface RawMethodResult {
  readonly method: RawMethod;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSec: number;
  /** Rows the table held when the method started. */
  readonly tableRowsBefore: number;
}

export interface RawRunOptions {
  readonly mysql: Config['mysql'];
  readonly rawUrl: string;
  readonly pagesFor: (salt: number) => TossPages;
  readonly tsvPath: (method: RawMethod) => string;
  readonly concurrency: number;
  /** Rows per store transaction for storeUpsert (about one Kafka fetch of a partition). */
  readonly batchRows: number;
  readonly methods: readonly RawMethod[];
  readonly say: (line: string) => void;
}

/**
 * Runs the methods one after another into the SAME table. The choice of state (e2e-bench.ts, --raw-db):
 * `separate` (default) is a second database migrated like the measured one and pre-filled the same way with
 * the same rows, so the first method starts from exactly the state the measured run started from; `same` is
 * the measured database after its run (N rows bigger; saves the second pre-fill at large --table-rows).
 * Emptying the table again between methods would cost more than the loads (deleting 1M random-keyed rows
 * took minutes here) and a database per method would triple the pre-fill, so a later method starts from a
 * table larger by the rows of the earlier ones (reported as its tableRowsBefore); LOAD DATA, expected to be
 * the fastest, runs first.
 */
export async function runRawMethods(o: RawRunOptions): Promise<RawMethodResult[]> {
  const conn = await mysql.createConnection({ uri: o.rawUrl, multipleStatements: false });
  const results: RawMethodResult[] = [];
  const count = async () => Number((await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM settlements'))[0][0]?.n);
  try {
    for (const method of o.methods) {
      const salt = 1 + RAW_METHODS.indexOf(method);
      const pages = o.pagesFor(salt);
      const before = await count();
      let rows = 0;
      let seconds = 0;
      if (method === 'loadData' || method === 'insertSelect') {
        const path = o.tsvPath(method);
        rows = await writeTsv(pages, salt, path);
        if (method === 'loadData') {
          o.say(`raw: LOAD DATA LOCAL INFILE of ${rows} rows`);
          const t0 = performance.now();
          await loadTsv(conn, 'settlements', path);
          seconds = (performance.now() - t0) / 1000;
        } else {
          await conn.query('DROP TABLE IF EXISTS settlements_staging');
          await conn.query(`CREATE TABLE settlements_staging ENGINE=InnoDB AS SELECT ${cols} FROM settlements WHERE 1 = 0`);
          await loadTsv(conn, 'settlements_staging', path);
          o.say(`raw: INSERT … SELECT of ${rows} rows from a staging table`);
          const t0 = performance.now();
          await conn.query(`INSERT INTO settlements (${cols}) SELECT ${cols} FROM settlements_staging`);
          seconds = (performance.now() - t0) / 1000;
          await conn.query('DROP TABLE settlements_staging');
        }
      } else {
        o.say(`raw: the store's multi-row upsert, ${o.concurrency} connections, ${o.batchRows}-row transactions`);
        const t0 = performance.now();
        rows = await storeUpsert(o, pages, salt);
        seconds = (performance.now() - t0) / 1000;
      }
      results.push({ method, rows, seconds: Number(seconds.toFixed(2)), rowsPerSec: Math.round(rows / seconds), tableRowsBefore: before });
    }
    return results;
  } finally {
    await conn.end();
  }
}

function patchSettlement(s: Settlement, salt: number, page: number): Settlement {
  return {
    ...s,
    transactionKey: patchKey(s.transactionKey, salt, page),
    paymentKey: patchKey(s.paymentKey, salt, page),
    orderId: patchKey(s.orderId, salt, page),
    cancel: s.cancel ? { ...s.cancel, transactionKey: patchKey(s.cancel.transactionKey, salt, page) } : s.cancel,
  };
}

/** Like raw-baseline.ts: `concurrency` workers, each like one partition, applyBatch of `batchRows` records. */
async function storeUpsert(o: RawRunOptions, pages: TossPages, salt: number): Promise<number> {
  const pool = createSettlementStorePool({ ...o.mysql, url: new Secret(o.rawUrl) }, o.concurrency + 1);
  const store = new MySqlSettlementStore(pool);
  const work: Array<{ page: number; template: Settlement[] }> = [];
  for (const t of pages.templates) {
    const template = templateSettlements(t.rows);
    for (let page = t.firstPage; page <= t.lastPage; page++) work.push({ page, template });
  }
  let next = 0;
  let rows = 0;
  const offsets = new Map<number, number>();
  try {
    const worker = async (partition: number) => {
      for (let w = work[next++]; w; w = work[next++]) {
        const records = w.template.map((s) => patchSettlement(s, salt, w.page));
        for (let from = 0; from < records.length; from += o.batchRows) {
          const chunk = records.slice(from, from + o.batchRows);
          const first = offsets.get(partition) ?? 0;
          offsets.set(partition, first + chunk.length);
          await store.applyBatch({
            group: 'raw-baseline',
            topic: 'raw',
            partition,
            records: chunk.map((settlement, k) => ({ settlement, offset: first + k, timestamp: 1 })),
            nextOffset: first + chunk.length,
          });
          rows += chunk.length;
        }
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, (_, p) => worker(p)));
    return rows;
  } finally {
    await pool.end();
  }
}
