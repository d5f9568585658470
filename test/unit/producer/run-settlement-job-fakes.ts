import { readFileSync } from 'node:fs';
import type { JobRepository, StartRequest, StartedExecution } from '../../../src/application/settlement/job-repository.js';
import type {
  FetchedPage,
  OutgoingPage,
  PublishMeta,
  SettlementPageReader,
  SettlementPublisher,
  SettlementSource,
} from '../../../src/application/settlement/ports.js';
import { RunSettlementJob, type RunSettlementJobDeps } from '../../../src/application/settlement/run-settlement-job.js';
import type { Log } from '../../../src/application/shared/log.js';
import type { ExecutionCounts, ExecutionStatus } from '../../../src/domain/batch/job-execution.js';
import type { PageCheckpoint } from '../../../src/domain/batch/page-checkpoint.js';
import type { RejectedSettlement, Settlement } from '../../../src/domain/settlement/settlement.js';
import { settlementWindow, type SettlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';

/**
 * The fakes of RunSettlementJob's unit tests (run-settlement-job*.test.ts): Toss's pages, the publisher and the job
 * repository in memory. Each tells the story of a run, in order, in `events` ("read 2", "publish 2", "checkpoint 2").
 */
export type Row = Record<string, unknown>;
export const [approval] = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as [Row];
export const row = (n: number): Row => ({ ...approval, transactionKey: `T${n}`, paymentKey: `P${n}` });
/** `count` rows, T`first` onwards. */
export const page = (first: number, count: number): Row[] => Array.from({ length: count }, (_, i) => row(first + i));
export const window = settlementWindow('2025-02-03', '2025-02-07');
export const silent: Log = { info() {}, warn() {}, error() {}, debug() {} };
export const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The pages, read in order until the first short one (`read N`), or asked for one by one (`ask N`: confirming the
 * end). A read fails at `failAt`, or once the run's signal aborted (as the real reader's aborted fetches do).
 */
export class FakeReader implements SettlementPageReader, SettlementSource {
  startPage: number | null = null;
  constructor(
    private readonly events: string[],
    private readonly data: Row[][],
    private readonly failAt?: { page: number; error: unknown },
    private readonly onPage?: (page: number) => void,
  ) {}
  async *pages(_w: SettlementWindow, startPage: number, size: number, signal?: AbortSignal): AsyncIterable<FetchedPage> {
    this.startPage = startPage;
    for (let p = startPage; p <= this.data.length; p++) {
      if (this.failAt?.page === p) throw this.failAt.error;
      signal?.throwIfAborted();
      const rows = this.data[p - 1] ?? [];
      this.events.push(`read ${p}`);
      this.onPage?.(p);
      yield { page: p, count: rows.length, parts: inParts(rows, PART_ROWS) }; // fresh arrays: the job empties each part
      if (rows.length < size) return;
    }
  }
  async fetchPage(_w: SettlementWindow, page: number): Promise<unknown[]> {
    this.events.push(`ask ${page}`);
    return this.data[page - 1] ?? [];
  }
}

/** Rows a FakeReader page hands out per part: pages of 3 rows and more come in several parts, as Toss pages do. */
export const PART_ROWS = 2;

function* inParts(rows: readonly Row[], size: number): Generator<unknown[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/** A publisher from what happens when a page is sent: its rows (all parts, in order) and meta. */
export function sendingPublisher(
  send: (rows: readonly Settlement[], meta: PublishMeta) => Promise<readonly RejectedSettlement[]>,
  publishRejects: (rejects: readonly RejectedSettlement[], meta: PublishMeta) => Promise<void> = async () => undefined,
): SettlementPublisher {
  return {
    page: (meta) => {
      const rows: Settlement[] = [];
      return { add: (part) => void rows.push(...part), send: () => send(rows, meta) };
    },
    publishRejects,
  };
}

/** Publishes at once (`publish N rows exec ID`); refuses the rows `refuse` picks, fails page `failAt`. */
export class FakePublisher implements SettlementPublisher {
  constructor(
    private readonly events: string[],
    private readonly refuse: (s: Settlement) => boolean = () => false,
    private readonly failAt?: number,
  ) {}
  page(meta: PublishMeta): OutgoingPage {
    return sendingPublisher((rows) => this.publish(rows, meta)).page(meta, 0);
  }
  async publish(rows: readonly Settlement[], meta: PublishMeta): Promise<RejectedSettlement[]> {
    if (meta.page === this.failAt) throw new SettleError('KAFKA_PUBLISH_FAILED', 'broker down');
    const unfit = rows.filter(this.refuse).map((s) => ({ raw: s, transactionKey: s.transactionKey, field: '(avro)', reason: 'does not fit' }));
    this.events.push(`publish ${meta.page} ${rows.length - unfit.length} exec ${meta.executionId}`);
    return unfit;
  }
  async publishRejects(rejects: readonly RejectedSettlement[], meta: PublishMeta): Promise<void> {
    this.events.push(`rejects ${meta.page} ${rejects.map((r) => r.transactionKey).join(',')}`);
  }
}

/**
 * Acknowledges (or fails) a page only when the test says so, in whatever order it chooses (never: kafkajs retrying
 * against a broker that is gone); `ackAtOnce`, as soon as it is published.
 */
export class HeldPublisher implements SettlementPublisher {
  readonly held = new Map<number, { ack: () => void; fail: (e: Error) => void }>();
  constructor(
    private readonly events: string[],
    private readonly ackAtOnce = false,
  ) {}
  page(meta: PublishMeta): OutgoingPage {
    return sendingPublisher((rows) => this.publish(rows, meta)).page(meta, 0);
  }
  publish(_rows: readonly Settlement[], meta: PublishMeta): Promise<RejectedSettlement[]> {
    this.events.push(`publish ${meta.page}`);
    if (this.ackAtOnce) return Promise.resolve([]);
    return new Promise((resolve, reject) => this.held.set(meta.page, { ack: () => resolve([]), fail: reject }));
  }
  async publishRejects(): Promise<void> {}
}

/** What FakeJobs tells in `events`, besides `checkpoint N` and `finish STATUS`. */
type JobEvent = 'start' | 'release';

/**
 * The job repository: claims execution 7 of instance 3, resuming after `resumeAfterPage`; keeps the checkpoints
 * and how the execution finished. Tells `checkpoint N`, `finish STATUS` and those of `start KIND`, `release` in `tells`.
 */
export class FakeJobs implements JobRepository {
  checkpoints: Array<{ cp: PageCheckpoint; counts: ExecutionCounts }> = [];
  pageSizes: number[] = [];
  finished: { status: ExecutionStatus; counts: ExecutionCounts; error: string | null } | null = null;
  constructor(
    private readonly events: string[],
    private readonly resumeAfterPage = 0,
    private readonly tells: readonly JobEvent[] = ['start', 'release'],
  ) {}
  async start(req: StartRequest): Promise<StartedExecution> {
    if (this.tells.includes('start')) this.events.push(`start ${req.kind}`);
    this.pageSizes.push(req.pageSize);
    const execution = {
      id: 7,
      instanceId: 3,
      kind: req.kind,
      shard: req.shard?.index ?? 0,
      shards: req.shard?.count ?? 1,
      replayOf: null,
      status: 'STARTED' as const,
      startedAt: '',
      endedAt: null,
      heartbeatAt: '',
      lastPage: this.resumeAfterPage,
      pageSize: 3,
      counts: { pages: 0, rowsFetched: 0, rowsPublished: 0, rowsRejected: 0 },
      lastError: null,
      host: req.host,
      pid: req.pid,
    };
    return {
      instance: { id: 3, jobName: 'toss-settlements', window: req.window },
      execution,
      resumeAfterPage: this.resumeAfterPage,
      recovered: [],
      replayOf: null,
    };
  }
  async checkpoint(cp: PageCheckpoint, counts: ExecutionCounts): Promise<void> {
    this.events.push(`checkpoint ${cp.page}`);
    this.checkpoints.push({ cp, counts });
  }
  async heartbeat(): Promise<void> {}
  async finish(_id: number, status: Exclude<ExecutionStatus, 'STARTED'>, counts: ExecutionCounts, error: string | null): Promise<void> {
    this.events.push(`finish ${status}`);
    this.finished = { status, counts, error };
  }
  async release(): Promise<void> {
    if (this.tells.includes('release')) this.events.push('release');
  }
}

/** A RunSettlementJob over these fakes: the wall clock, no log, host h, pid 1, unless `deps` says otherwise. */
export function fakeJob(deps: Pick<RunSettlementJobDeps, 'reader' | 'source' | 'publisher' | 'jobs'> & Partial<RunSettlementJobDeps>): RunSettlementJob {
  return new RunSettlementJob({ clock: { now: () => new Date() }, log: silent, host: 'h', pid: 1, ...deps });
}
