import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { PublishingExecution, PublishingExecutions } from '../../application/settlement/reconciliation-ports.js';
import type { ExecutionKind, ExecutionStatus } from '../../domain/batch/job-execution.js';
import { JOB_NAME } from '../../domain/batch/job-execution.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { utcIso } from './job-rows.js';
import { translateMySqlError } from './mysql-errors.js';

const toExecution = (r: RowDataPacket): PublishingExecution => ({
  id: Number(r.id),
  kind: r.kind as ExecutionKind,
  status: r.status as ExecutionStatus,
  startedAt: utcIso(r.started_at),
});

/** From the job repository: completed executions of overlapping windows, with the resume chains that led to them. */
export class MySqlPublishingExecutions implements PublishingExecutions {
  constructor(private readonly pool: Pool) {}

  async of(w: SettlementWindow): Promise<PublishingExecution[]> {
    const [completed] = await this.pool
      .query<RowDataPacket[]>(
        `SELECT e.id, e.kind, e.status, e.started_at, e.resumed_from FROM job_executions e JOIN job_instances i ON i.id = e.instance_id
          WHERE i.job_name = ? AND i.date_type = ? AND i.window_from <= ? AND i.window_to >= ? AND e.status = 'COMPLETED' ORDER BY e.id`,
        [JOB_NAME, w.dateType, w.to, w.from],
      )
      .catch(translateMySqlError);
    const found = new Map(completed.map((r) => [Number(r.id), toExecution(r)]));
    // A resumed execution published only the pages after its predecessor's checkpoint: walk the chain back.
    let next = completed
      .map((r) => r.resumed_from)
      .filter((id): id is number | string => id !== null)
      .map(Number);
    while (next.length > 0) {
      const [rows] = await this.pool
        .query<RowDataPacket[]>('SELECT id, kind, status, started_at, resumed_from FROM job_executions WHERE id IN (?)', [next])
        .catch(translateMySqlError);
      next = [];
      for (const r of rows) {
        if (found.has(Number(r.id))) continue;
        found.set(Number(r.id), toExecution(r));
        if (r.resumed_from !== null) next.push(Number(r.resumed_from));
      }
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
  }
}
