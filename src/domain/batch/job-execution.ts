import type { SettlementWindow } from '../settlement/settlement-window.js';

/**
 * The batch model, after Spring Batch: a job instance is the job name plus its identifying parameters
 * (the window); each attempt to run it is an execution; a step walks pages and checkpoints each one.
 *
 *   STARTED ──all pages done──> COMPLETED
 *      │ ├─error──────────────> FAILED     (restartable: the next run resumes after the last checkpoint)
 *      │ └─SIGTERM/SIGINT─────> STOPPED    (restartable)
 *      └─process died─────────> FAILED by recovery (heartbeat stale or lock free)
 *   FAILED/STOPPED ──operator──> ABANDONED (this execution is never resumed; the next run starts from page 1)
 *
 * Resuming: a new execution of the same kind continues after the last page its predecessor checkpointed
 * (lastPage is cumulative along that chain). A COMPLETED RUN is never fetched again except by a REPLAY.
 */
export type ExecutionStatus = 'STARTED' | 'COMPLETED' | 'FAILED' | 'STOPPED' | 'ABANDONED';
export type ExecutionKind = 'RUN' | 'REPLAY';

export const JOB_NAME = 'toss-settlements';

export interface JobInstance {
  readonly id: number;
  readonly jobName: string;
  readonly window: SettlementWindow;
}

export interface ExecutionCounts {
  readonly pages: number;
  readonly rowsFetched: number;
  readonly rowsPublished: number;
  readonly rowsRejected: number;
}

export interface JobExecution {
  readonly id: number;
  readonly instanceId: number;
  readonly kind: ExecutionKind;
  /** This worker's index (0-based) and how many workers share the window (see shard.ts); 0 of 1 when unsharded. */
  readonly shard: number;
  readonly shards: number;
  readonly replayOf: number | null;
  readonly status: ExecutionStatus;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly heartbeatAt: string;
  readonly lastPage: number; // last checkpointed page (0 = none)
  /** Rows per page this execution asked for: lastPage counts pages of this size (null: recorded before sizes were). */
  readonly pageSize: number | null;
  readonly counts: ExecutionCounts;
  readonly lastError: string | null;
  readonly host: string | null;
  readonly pid: number | null;
}

export const ZERO_COUNTS: ExecutionCounts = { pages: 0, rowsFetched: 0, rowsPublished: 0, rowsRejected: 0 };

export const addCounts = (a: ExecutionCounts, b: ExecutionCounts): ExecutionCounts => ({
  pages: a.pages + b.pages,
  rowsFetched: a.rowsFetched + b.rowsFetched,
  rowsPublished: a.rowsPublished + b.rowsPublished,
  rowsRejected: a.rowsRejected + b.rowsRejected,
});

export const isRestartable = (s: ExecutionStatus): boolean => s === 'FAILED' || s === 'STOPPED';

/** A STARTED execution is presumed dead when its heartbeat is older than the timeout. */
export const isHeartbeatStale = (heartbeatAtMs: number, nowMs: number, timeoutMs: number): boolean => nowMs - heartbeatAtMs > timeoutMs;
