import { SettleError } from '../shared/settle-error.js';
import type { ExecutionKind, JobExecution } from './job-execution.js';

/**
 * One worker's part of a sharded window: of `count` workers, worker `index` (0-based, as a Kubernetes Indexed
 * Job numbers them) fetches pages index+1, index+1+count, index+1+2·count, … and stops after its first short or
 * empty page. Each worker is an execution of its own, with its own checkpoints and claim, so a killed worker
 * resumes alone; the window is complete when every worker's latest execution is.
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const SINGLE_WORKER: Shard = { index: 0, count: 1 };

/** Most workers a window can be split across (a Toss window of 100 million rows is 20,000 pages). */
export const MAX_SHARDS = 256;

export function shard(index: number, count: number): Shard {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS)
    throw new SettleError('INVALID_SHARDS', `--shards must be a whole number from 1 to ${MAX_SHARDS}, got ${count}`, { details: { count } });
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new SettleError(
      'INVALID_SHARD',
      `--shard (or JOB_COMPLETION_INDEX) must be a whole number from 0 to ${count - 1} with --shards ${count}, got ${index}`,
      {
        details: { index, count },
      },
    );
  return { index, count };
}

/** The first page this worker fetches. */
export const firstPage = (s: Shard): number => s.index + 1;

/** Whether `page` belongs to this worker. */
export const ownsPage = (s: Shard, page: number): boolean => page >= 1 && (page - 1) % s.count === s.index;

export const shardLabel = (s: Shard): string => (s.count === 1 ? 'single worker' : `worker ${s.index} of ${s.count}`);

/** What a window's executions of one kind add up to: one line for `settle jobs list`, the window's status. */
export interface WindowRun {
  readonly kind: ExecutionKind;
  readonly shards: number;
  /** Each worker's latest execution, by worker index; a worker that never started is missing. */
  readonly workers: ReadonlyArray<JobExecution | undefined>;
  /** Every execution of the run, oldest first (a resumed worker has several). */
  readonly executions: readonly JobExecution[];
  /** COMPLETED once every worker's latest execution is; STARTED while any runs; else the first unfinished one's status. */
  readonly status: JobExecution['status'] | 'PENDING';
}

/**
 * Groups a window's executions (oldest first) into runs: consecutive executions of the same kind and worker
 * count belong to one run; each worker is represented by its latest execution.
 */
export function windowRuns(executions: readonly JobExecution[]): WindowRun[] {
  const runs: Array<{ kind: ExecutionKind; shards: number; workers: Array<JobExecution | undefined>; executions: JobExecution[] }> = [];
  for (const e of executions) {
    let run = runs.at(-1);
    // a new run: another kind or worker count, or a worker that already completed in this run starting again
    const latest = run?.workers[e.shard];
    if (!run || run.kind !== e.kind || run.shards !== e.shards || (latest?.status === 'COMPLETED' && e.kind === 'REPLAY')) {
      run = { kind: e.kind, shards: e.shards, workers: Array.from({ length: e.shards }, () => undefined), executions: [] };
      runs.push(run);
    }
    run.workers[e.shard] = e;
    run.executions.push(e);
  }
  return runs.map((r) => ({ ...r, status: runStatus(r.workers) }));
}

function runStatus(workers: ReadonlyArray<JobExecution | undefined>): WindowRun['status'] {
  if (workers.every((w) => w?.status === 'COMPLETED')) return 'COMPLETED';
  if (workers.some((w) => w?.status === 'STARTED')) return 'STARTED';
  const unfinished = workers.find((w) => w !== undefined && w.status !== 'COMPLETED');
  return unfinished?.status ?? 'PENDING';
}
