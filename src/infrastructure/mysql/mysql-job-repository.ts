import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { JobRepository, StartRequest, StartedExecution } from '../../application/settlement/job-repository.js';
import {
  JOB_NAME,
  isRestartable,
  type ExecutionCounts,
  type ExecutionKind,
  type ExecutionStatus,
  type JobExecution,
} from '../../domain/batch/job-execution.js';
import type { PageCheckpoint } from '../../domain/batch/page-checkpoint.js';
import { resumePosition } from '../../domain/batch/resume-position.js';
import { shardLabel, SINGLE_WORKER, windowRuns, type Shard } from '../../domain/batch/shard.js';
import { windowLabel } from '../../domain/settlement/settlement-window.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { toSettleError, translateMySqlError } from './mysql-errors.js';
import { jobLockName, toJobExecution } from './job-rows.js';

/**
 * The claim on a job instance is a MySQL named lock held by this execution's own connection: it is exclusive
 * across hosts, and it dies with the process (the server drops the connection), so a SIGKILLed run frees
 * the window at once and the next run finds its STARTED execution dead and marks it FAILED.
 */
export class MySqlJobRepository implements JobRepository {
  #lock: string | null = null;

  constructor(private readonly conn: Connection) {}

  async start(req: StartRequest): Promise<StartedExecution> {
    try {
      return await this.#start(req);
    } catch (error) {
      await this.release();
      throw toSettleError(error);
    }
  }

  async #start(req: StartRequest): Promise<StartedExecution> {
    const { window: w } = req;
    const [ins] = await this.conn.query<ResultSetHeader>(
      'INSERT INTO job_instances (job_name, window_from, window_to, date_type) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)',
      [JOB_NAME, w.from, w.to, w.dateType],
    );
    const instanceId = ins.insertId;
    const sh = req.shard ?? SINGLE_WORKER;
    const worker = sh.count > 1 ? ` (${shardLabel(sh)})` : '';
    const lock = await jobLockName(this.conn, instanceId, sh.index);
    const [got] = await this.conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS ok', [lock]);
    const executions = await this.#executions(instanceId);
    if (got[0]?.ok !== 1) {
      const running = executions.find((e) => e.status === 'STARTED' && e.shard === sh.index);
      throw new SettleError(
        'JOB_ALREADY_RUNNING',
        `window ${windowLabel(w)}${worker} is already running${running ? ` (execution ${running.id} on ${running.host ?? '?'} pid ${running.pid ?? '?'}, heartbeat ${running.heartbeatAt}; if that process is gone or hung: settle jobs recover ${running.id})` : ''}`,
      );
    }
    this.#lock = lock;

    // STARTED executions whose claim is free died: ours (we hold its claim now) and other workers' whose lock nobody holds
    const recovered: JobExecution[] = [];
    for (const dead of executions.filter((e) => e.status === 'STARTED')) {
      if (dead.shard !== sh.index && !(await this.#claimIsFree(instanceId, dead.shard))) continue;
      await this.conn.query("UPDATE job_executions SET status = 'FAILED', ended_at = NOW(3), last_error = ? WHERE id = ? AND status = 'STARTED'", [
        `process died (its claim was free; last heartbeat ${dead.heartbeatAt})`,
        dead.id,
      ]);
      recovered.push({ ...dead, status: 'FAILED' });
    }
    const after = executions.map((e) => recovered.find((r) => r.id === e.id) ?? e);
    refuseOtherWorkerCount(after, req.kind, sh, windowLabel(w));
    const completed = after.filter((e) => e.status === 'COMPLETED').at(-1);
    const mineCompleted = after.filter((e) => e.status === 'COMPLETED' && e.kind === 'RUN' && e.shard === sh.index && e.shards === sh.count).at(-1);
    if (req.kind === 'RUN' && mineCompleted)
      throw new SettleError(
        'JOB_ALREADY_COMPLETED',
        `window ${windowLabel(w)}${worker} was already published by execution ${mineCompleted.id} at ${mineCompleted.endedAt ?? '?'}; use \`settle replay\` to publish it again`,
      );

    const previous = after.filter((e) => e.kind === req.kind && e.shard === sh.index && e.shards === sh.count).at(-1);
    const resumeFrom = previous && isRestartable(previous.status) ? previous : null;
    // refused here, before an execution is recorded: nothing was fetched, the predecessor stays resumable
    const position = resumePosition(
      resumeFrom && { executionId: resumeFrom.id, lastPage: resumeFrom.lastPage, pageSize: resumeFrom.pageSize },
      req.pageSize,
      windowLabel(w),
      sh.count,
    );
    const resumeAfterPage = position.afterPage;
    const replayOf = req.kind === 'REPLAY' ? (completed?.id ?? null) : null;
    const [exe] = await this.conn.query<ResultSetHeader>(
      "INSERT INTO job_executions (instance_id, kind, shard, shards, replay_of, resumed_from, status, started_at, heartbeat_at, last_page, page_size, host, pid) VALUES (?, ?, ?, ?, ?, ?, 'STARTED', NOW(3), NOW(3), ?, ?, ?, ?)",
      [instanceId, req.kind, sh.index, sh.count, replayOf, resumeFrom?.id ?? null, resumeAfterPage, req.pageSize, req.host.slice(0, 100), req.pid],
    );
    const execution = (await this.#executions(instanceId)).find((e) => e.id === exe.insertId) as JobExecution;
    return {
      instance: { id: instanceId, jobName: JOB_NAME, window: w },
      execution,
      resumeAfterPage,
      convertedFrom: position.convertedFrom,
      recovered,
      replayOf,
    };
  }

  async checkpoint(cp: PageCheckpoint, counts: ExecutionCounts): Promise<void> {
    try {
      await this.conn.beginTransaction();
      await this.conn.query('INSERT INTO job_page_checkpoints (execution_id, page, rows_fetched, rows_published, rows_rejected) VALUES (?, ?, ?, ?, ?)', [
        cp.executionId,
        cp.page,
        cp.rowsFetched,
        cp.rowsPublished,
        cp.rowsRejected,
      ]);
      const [upd] = await this.conn.query<ResultSetHeader>(
        "UPDATE job_executions SET last_page = ?, pages = ?, rows_fetched = ?, rows_published = ?, rows_rejected = ?, heartbeat_at = NOW(3) WHERE id = ? AND status = 'STARTED'",
        [cp.page, counts.pages, counts.rowsFetched, counts.rowsPublished, counts.rowsRejected, cp.executionId],
      );
      if (upd.affectedRows !== 1)
        throw new SettleError('JOB_CLAIM_LOST', `execution ${cp.executionId} is no longer STARTED (recovered or abandoned by an operator); stopping`);
      await this.conn.commit();
    } catch (error) {
      await this.conn.rollback().catch(() => undefined);
      throw toSettleError(error);
    }
  }

  async heartbeat(executionId: number): Promise<void> {
    await this.conn.query("UPDATE job_executions SET heartbeat_at = NOW(3) WHERE id = ? AND status = 'STARTED'", [executionId]).catch(translateMySqlError);
  }

  async finish(executionId: number, status: Exclude<ExecutionStatus, 'STARTED'>, counts: ExecutionCounts, error: string | null): Promise<void> {
    await this.conn
      .query(
        "UPDATE job_executions SET status = ?, ended_at = NOW(3), pages = ?, rows_fetched = ?, rows_published = ?, rows_rejected = ?, last_error = ? WHERE id = ? AND status = 'STARTED'",
        [status, counts.pages, counts.rowsFetched, counts.rowsPublished, counts.rowsRejected, error?.slice(0, 2000) ?? null, executionId],
      )
      .catch(translateMySqlError);
  }

  async release(): Promise<void> {
    if (this.#lock) await this.conn.query('SELECT RELEASE_LOCK(?)', [this.#lock]).catch(() => undefined);
    this.#lock = null;
    await this.conn.end().catch(() => undefined);
  }

  async #claimIsFree(instanceId: number, shard: number): Promise<boolean> {
    const [rows] = await this.conn.query<RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [await jobLockName(this.conn, instanceId, shard)]);
    return rows[0]?.free === 1;
  }

  async #executions(instanceId: number): Promise<JobExecution[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>('SELECT * FROM job_executions WHERE instance_id = ? ORDER BY id', [instanceId]);
    return rows.map(toJobExecution);
  }
}

/**
 * A window's workers are fixed by the run that started it: worker I of N resumes only pages of its own stride,
 * so a run with another N would skip or repeat pages. A RUN keeps its count for good (a REPLAY may choose any);
 * a REPLAY keeps the count of an unfinished replay until that one completes or its executions are abandoned.
 */
function refuseOtherWorkerCount(executions: readonly JobExecution[], kind: ExecutionKind, sh: Shard, window: string): void {
  const live = executions.filter((e) => e.kind === kind && e.status !== 'ABANDONED');
  const runs = windowRuns(live);
  const binding = kind === 'RUN' ? runs.find((r) => r.shards !== sh.count) : runs.filter((r) => r.status !== 'COMPLETED' && r.shards !== sh.count).at(-1);
  if (!binding) return;
  const ids = binding.workers.flatMap((e) => (e ? [e.id] : []));
  const flag = kind === 'RUN' ? 'produce' : 'replay';
  throw new SettleError(
    'JOB_SHARDS_MISMATCH',
    kind === 'RUN'
      ? `window ${window} was run with ${binding.shards} worker(s) (executions ${ids.join(', ')}); run it with --shards ${binding.shards}, or \`settle replay\` it with any number of workers`
      : `window ${window} has an unfinished replay with ${binding.shards} worker(s) (executions ${ids.join(', ')}); finish it with \`settle ${flag} --shards ${binding.shards}\`, or abandon its executions (\`settle jobs abandon <id>\`)`,
    { details: { shards: sh.count, runWith: binding.shards, executions: ids } },
  );
}
