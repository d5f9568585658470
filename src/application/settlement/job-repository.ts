import type { ExecutionCounts, ExecutionKind, ExecutionStatus, JobExecution, JobInstance } from '../../domain/batch/job-execution.js';
import type { PageCheckpoint } from '../../domain/batch/page-checkpoint.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import type { Shard } from '../../domain/batch/shard.js';

export interface StartRequest {
  readonly window: SettlementWindow;
  readonly kind: ExecutionKind;
  /** This worker's part of the window (default: the whole window, one worker). */
  readonly shard?: Shard;
  /** Rows per page this run fetches: stored with the execution; a predecessor's position is converted or refused. */
  readonly pageSize: number;
  readonly host: string;
  readonly pid: number;
}

export interface StartedExecution {
  readonly instance: JobInstance;
  readonly execution: JobExecution;
  /** Pages (of the requested size) up to and including this one were published by a predecessor; continue after it. */
  readonly resumeAfterPage: number;
  /** The predecessor's position in its own page size, when it was converted to the requested one. */
  readonly convertedFrom?: { readonly lastPage: number; readonly pageSize: number } | null;
  /** STARTED executions found dead (their claim was free) and marked FAILED before this one began. */
  readonly recovered: readonly JobExecution[];
  /** For a REPLAY: the COMPLETED execution it re-runs. */
  readonly replayOf: number | null;
}

/**
 * The job repository, in MySQL. `start` claims one worker of the instance exclusively (a second copy of the same
 * worker gets AlreadyRunning; a worker that COMPLETED its part gets AlreadyCompleted unless kind is REPLAY; a
 * window run with another number of workers, or a predecessor stopped at a position the requested page size
 * cannot reach exactly, gets a usage error). The claim dies with the process,
 * so a killed run never blocks the next one.
 */
export interface JobRepository {
  start(request: StartRequest): Promise<StartedExecution>;
  /** Records a written page; fails if this execution lost its claim (then the run must stop). */
  checkpoint(checkpoint: PageCheckpoint, counts: ExecutionCounts): Promise<void>;
  heartbeat(executionId: number): Promise<void>;
  finish(executionId: number, status: Exclude<ExecutionStatus, 'STARTED'>, counts: ExecutionCounts, error: string | null): Promise<void>;
  /** Releases the claim (also when finishing fails). */
  release(): Promise<void>;
}
