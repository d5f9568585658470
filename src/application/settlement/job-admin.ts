import type { JobExecution } from '../../domain/batch/job-execution.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';

export interface ExecutionView extends JobExecution {
  readonly window: SettlementWindow;
  /** STARTED with a heartbeat older than the timeout: its process is dead or hung. */
  readonly stale: boolean;
}

export interface WindowTotals {
  readonly rows: number;
  readonly amount: number;
  readonly fee: number;
  readonly payOutAmount: number;
}

/** The job repository made readable for operators (`settle jobs`, `settle replay`'s plan). */
export interface JobAdmin {
  list(filter: { status?: string; limit: number }): Promise<ExecutionView[]>;
  get(executionId: number): Promise<ExecutionView | null>;
  executionsOf(window: SettlementWindow): Promise<ExecutionView[]>;
  /**
   * Marks a dead STARTED execution FAILED so the window can resume. Refuses while its claim is held, unless
   * `force` and its heartbeat is stale (a hung process: it stops at its next checkpoint, finding itself FAILED).
   */
  recover(executionId: number, options?: { force?: boolean }): Promise<ExecutionView>;
  /** Marks a FAILED/STOPPED execution ABANDONED: it is never resumed; the next run starts at page 1. */
  abandon(executionId: number): Promise<ExecutionView>;
  /** STARTED executions whose heartbeat is older than the timeout: killed or hung producers (a metric). */
  staleCount(): Promise<number>;
  /** What MySQL holds for a window (the loaded `settlements` rows). */
  storedTotals(window: SettlementWindow): Promise<WindowTotals>;
}
