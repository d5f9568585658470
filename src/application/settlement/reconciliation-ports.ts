import type { ExecutionKind, ExecutionStatus } from '../../domain/batch/job-execution.js';
import type { Reconciliation, SideRows } from '../../domain/settlement/reconciliation.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';

/** What Toss returns for the window now: valid rows by transactionKey, and how many rows the processor refuses. */
export interface ApiSnapshot {
  rowsOf(window: SettlementWindow, signal?: AbortSignal): Promise<{ readonly rows: SideRows; readonly fetched: number; readonly rejected: number }>;
}

/** An execution whose published records count as "what the job published" for a window. */
export interface PublishingExecution {
  readonly id: number;
  readonly kind: ExecutionKind;
  readonly status: ExecutionStatus;
  /** ISO instant (UTC). */
  readonly startedAt: string;
}

/**
 * The executions that published a window: every COMPLETED RUN or REPLAY of a window of the same date type that
 * overlaps it, plus the FAILED/STOPPED executions each of them resumed (their checkpointed pages are part of it).
 */
export interface PublishingExecutions {
  of(window: SettlementWindow): Promise<PublishingExecution[]>;
}

/** The settlement records those executions published, de-duplicated by transactionKey (the newest record wins). */
export interface KafkaSnapshot {
  publishedBy(
    executions: readonly PublishingExecution[],
    window: SettlementWindow,
    signal?: AbortSignal,
  ): Promise<{ readonly rows: SideRows; readonly records: number }>;
}

/** The `settlements` rows MySQL holds for the window. */
export interface StoreSnapshot {
  rowsOf(window: SettlementWindow): Promise<SideRows>;
}

export interface ReconciliationRecord {
  readonly window: SettlementWindow;
  readonly executionIds: readonly number[];
  readonly apiRejected: number;
  readonly result: Reconciliation;
  readonly startedAt: Date;
  readonly endedAt: Date;
}

/** Keeps every reconcile result (MySQL `reconciliation_runs` and its per-date results); returns the run id. */
export interface ReconciliationLog {
  record(run: ReconciliationRecord): Promise<number>;
}
