import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { ExecutionView, JobAdmin, WindowTotals } from '../../application/settlement/job-admin.js';
import type { DateType, SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { windowDateColumn } from './mysql-settlement-queries.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { jobLockName, toJobExecution } from './job-rows.js';
import { toSettleError } from './mysql-errors.js';

const SELECT = `SELECT e.*, i.window_from, i.window_to, i.date_type, TIMESTAMPDIFF(MICROSECOND, e.heartbeat_at, NOW(3)) DIV 1000 AS heartbeat_age_ms FROM job_executions e JOIN job_instances i ON i.id = e.instance_id`;

export class MySqlJobAdmin implements JobAdmin {
  /** `heartbeatTimeoutMs`: config.jobs.heartbeatTimeoutMs (JOB_HEARTBEAT_TIMEOUT_MS); running jobs beat every 10 s. */
  constructor(
    private readonly pool: Pool,
    private readonly heartbeatTimeoutMs = 60_000,
  ) {}

  #toView = (r: RowDataPacket): ExecutionView => {
    const e = toJobExecution(r);
    return {
      ...e,
      window: { from: String(r.window_from), to: String(r.window_to), dateType: r.date_type as DateType },
      stale: e.status === 'STARTED' && Number(r.heartbeat_age_ms) > this.heartbeatTimeoutMs,
    };
  };

  async list(filter: { status?: string; limit: number }): Promise<ExecutionView[]> {
    const where = filter.status ? 'WHERE e.status = ?' : '';
    const [rows] = await this.pool
      .query<RowDataPacket[]>(`${SELECT} ${where} ORDER BY e.id DESC LIMIT ?`, filter.status ? [filter.status, filter.limit] : [filter.limit])
      .catch(fail);
    return rows.map(this.#toView);
  }

  async get(executionId: number): Promise<ExecutionView | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`${SELECT} WHERE e.id = ?`, [executionId]).catch(fail);
    return rows[0] ? this.#toView(rows[0]) : null;
  }

  async executionsOf(w: SettlementWindow): Promise<ExecutionView[]> {
    const [rows] = await this.pool
      .query<RowDataPacket[]>(`${SELECT} WHERE i.window_from = ? AND i.window_to = ? AND i.date_type = ? ORDER BY e.id`, [w.from, w.to, w.dateType])
      .catch(fail);
    return rows.map(this.#toView);
  }

  async recover(executionId: number, options: { force?: boolean } = {}): Promise<ExecutionView> {
    const e = await this.#require(executionId);
    if (e.status !== 'STARTED') throw new SettleError('JOB_NOT_STARTED', `execution ${executionId} is ${e.status}, not STARTED: nothing to recover`);
    const conn = await this.pool.getConnection().catch(fail);
    try {
      // The claim is the named lock its process holds; if we can take it, that process is gone.
      const lock = await jobLockName(conn, e.instanceId, e.shard);
      const [got] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS ok', [lock]);
      const claimed = got[0]?.ok === 1;
      if (!claimed && !(options.force && e.stale))
        throw new SettleError(
          'JOB_ALREADY_RUNNING',
          e.stale
            ? `execution ${executionId} holds its claim (${e.host ?? '?'} pid ${e.pid ?? '?'}) but its heartbeat stopped at ${e.heartbeatAt}: the process looks hung; stop it, or pass --force to mark it FAILED (it stops at its next checkpoint)`
            : `execution ${executionId} is alive (its claim is held by ${e.host ?? '?'} pid ${e.pid ?? '?'}, heartbeat ${e.heartbeatAt}); stop that process first`,
        );
      const why = claimed ? 'its process is gone' : 'forced: its heartbeat timed out while the claim was held';
      await conn.query("UPDATE job_executions SET status = 'FAILED', ended_at = NOW(3), last_error = ? WHERE id = ? AND status = 'STARTED'", [
        `recovered by an operator; ${why} (last heartbeat ${e.heartbeatAt})`,
        executionId,
      ]);
      if (claimed) await conn.query('SELECT RELEASE_LOCK(?)', [lock]);
    } finally {
      conn.release();
    }
    return this.#require(executionId);
  }

  async abandon(executionId: number): Promise<ExecutionView> {
    const e = await this.#require(executionId);
    if (e.status !== 'FAILED' && e.status !== 'STOPPED')
      throw new SettleError(
        'JOB_NOT_ABANDONABLE',
        `execution ${executionId} is ${e.status}; only FAILED or STOPPED executions can be abandoned (recover a STARTED one first)`,
      );
    await this.pool.query("UPDATE job_executions SET status = 'ABANDONED' WHERE id = ? AND status IN ('FAILED','STOPPED')", [executionId]).catch(fail);
    return this.#require(executionId);
  }

  async staleCount(): Promise<number> {
    const [rows] = await this.pool
      .query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM job_executions WHERE status = 'STARTED' AND heartbeat_at < NOW(3) - INTERVAL ? MICROSECOND", [
        this.heartbeatTimeoutMs * 1000,
      ])
      .catch(fail);
    return Number(rows[0]?.n ?? 0);
  }

  async storedTotals(w: SettlementWindow): Promise<WindowTotals> {
    const column = windowDateColumn(w.dateType);
    const [rows] = await this.pool
      .query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n, COALESCE(SUM(amount),0) AS amount, COALESCE(SUM(fee),0) AS fee, COALESCE(SUM(pay_out_amount),0) AS payout FROM settlements WHERE ${column} BETWEEN ? AND ?`,
        [w.from, w.to],
      )
      .catch(fail);
    const r: RowDataPacket = rows[0] ?? ({} as RowDataPacket);
    return { rows: Number(r.n ?? 0), amount: Number(r.amount ?? 0), fee: Number(r.fee ?? 0), payOutAmount: Number(r.payout ?? 0) };
  }

  async #require(id: number): Promise<ExecutionView> {
    const e = await this.get(id);
    if (!e) throw new SettleError('JOB_NOT_FOUND', `no execution ${id}`);
    return e;
  }
}

function fail(error: unknown): never {
  throw toSettleError(error);
}
