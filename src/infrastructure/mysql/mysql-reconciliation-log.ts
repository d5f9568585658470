import type { Pool, ResultSetHeader } from 'mysql2/promise';
import type { ReconciliationLog, ReconciliationRecord } from '../../application/settlement/reconciliation-ports.js';
import type { DateReconciliation, KeyDifferences } from '../../domain/settlement/reconciliation.js';
import { translateMySqlError } from './mysql-errors.js';

/** Keys kept per list and date: enough to act on; the full list comes from running reconcile again with --all. */
export const STORED_KEYS_PER_LIST = 1000;

const DATETIME = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');

const list = (keys: readonly string[]) => ({ count: keys.length, keys: keys.slice(0, STORED_KEYS_PER_LIST) });
const diffJson = (d: KeyDifferences) => ({ missing: list(d.missing), extra: list(d.extra), changed: list(d.changed) });

const resultRow = (runId: number, d: DateReconciliation): unknown[] => [
  runId,
  d.date,
  d.status,
  ...[d.api, d.kafka, d.mysql].flatMap((t) => [t.rows, t.amount, t.fee, t.payOutAmount]),
  JSON.stringify({ kafka: diffJson(d.kafkaDiff), mysql: diffJson(d.mysqlDiff) }),
];

/** `reconciliation_runs` + `reconciliation_results`, written in one transaction. */
export class MySqlReconciliationLog implements ReconciliationLog {
  constructor(private readonly pool: Pool) {}

  async record(run: ReconciliationRecord): Promise<number> {
    const conn = await this.pool.getConnection().catch(translateMySqlError);
    try {
      await conn.beginTransaction();
      const { result, window } = run;
      const [inserted] = await conn.query<ResultSetHeader>(
        `INSERT INTO reconciliation_runs (window_from, window_to, date_type, status, execution_ids, api_rows, api_rejected, kafka_rows, mysql_rows, started_at, ended_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          window.from,
          window.to,
          window.dateType,
          result.status,
          JSON.stringify(run.executionIds),
          result.total.api.rows,
          run.apiRejected,
          result.total.kafka.rows,
          result.total.mysql.rows,
          DATETIME(run.startedAt),
          DATETIME(run.endedAt),
        ],
      );
      const runId = inserted.insertId;
      if (result.dates.length > 0)
        await conn.query(
          `INSERT INTO reconciliation_results (run_id, result_date, status, api_rows, api_amount, api_fee, api_pay_out_amount, kafka_rows, kafka_amount, kafka_fee, kafka_pay_out_amount,
             mysql_rows, mysql_amount, mysql_fee, mysql_pay_out_amount, differences) VALUES ?`,
          [result.dates.map((d) => resultRow(runId, d))],
        );
      await conn.commit();
      return runId;
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      return translateMySqlError(error);
    } finally {
      conn.release();
    }
  }
}
