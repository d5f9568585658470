import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JobRepository, StartRequest, StartedExecution } from '../../../src/application/settlement/job-repository.js';
import type { FetchedPage, PublishMeta, SettlementPageReader, SettlementPublisher, SettlementSource } from '../../../src/application/settlement/ports.js';
import { RunSettlementJob } from '../../../src/application/settlement/run-settlement-job.js';
import type { Log } from '../../../src/application/shared/log.js';
import type { ExecutionCounts, ExecutionStatus } from '../../../src/domain/batch/job-execution.js';
import type { PageCheckpoint } from '../../../src/domain/batch/page-checkpoint.js';
import type { RejectedSettlement, Settlement } from '../../../src/domain/settlement/settlement.js';
import { settlementWindow, type SettlementWindow } from '../../../src/domain/settlement/settlement-window.js';

/**
 * The stop of a run (SIGTERM) with pages in flight: they are awaited until the drain deadline; what Kafka acknowledged
 * by then is checkpointed, what it did not is abandoned, never checkpointed, and the run fails SHUTDOWN_DEADLINE_EXCEEDED
 * with the execution STOPPED after its last acknowledged page (a rerun resumes exactly there).
 */
type Row = Record<string, unknown>;
const [approval] = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as [Row];
const page = (first: number, count: number): Row[] =>
  Array.from({ length: count }, (_, i) => ({ ...approval, transactionKey: `T${first + i}`, paymentKey: `P${first + i}` }));
const window = settlementWindow('2025-02-03', '2025-02-07');
const silent: Log = { info() {}, warn() {}, error() {}, debug() {} };

/** Pages in order; fails a read once the run's signal aborted (as the real reader's aborted fetches do). */
class Reader implements SettlementPageReader, SettlementSource {
  constructor(
    private readonly events: string[],
    private readonly data: Row[][],
    private readonly onRead: (page: number) => void = () => undefined,
  ) {}
  async *pages(_w: SettlementWindow, startPage: number, size: number, signal?: AbortSignal): AsyncIterable<FetchedPage> {
    for (let p = startPage; p <= this.data.length; p++) {
      signal?.throwIfAborted();
      const rows = this.data[p - 1] ?? [];
      this.events.push(`read ${p}`);
      this.onRead(p);
      yield { page: p, rows };
      if (rows.length < size) return;
    }
  }
  async fetchPage(_w: SettlementWindow, page: number): Promise<unknown[]> {
    return this.data[page - 1] ?? [];
  }
}

/** Acknowledges a page only when the test says so (never: kafkajs retrying against a broker that is gone). */
class HeldPublisher implements SettlementPublisher {
  readonly held = new Map<number, { ack: () => void }>();
  constructor(
    private readonly events: string[],
    private readonly ackAtOnce = false,
  ) {}
  publish(_rows: readonly Settlement[], meta: PublishMeta): Promise<RejectedSettlement[]> {
    this.events.push(`publish ${meta.page}`);
    if (this.ackAtOnce) return Promise.resolve([]);
    return new Promise((resolve) => this.held.set(meta.page, { ack: () => resolve([]) }));
  }
  async publishRejects(): Promise<void> {}
}

class Jobs implements JobRepository {
  finished: { status: ExecutionStatus; counts: ExecutionCounts; error: string | null } | null = null;
  constructor(private readonly events: string[]) {}
  async start(req: StartRequest): Promise<StartedExecution> {
    const execution = {
      id: 7,
      instanceId: 3,
      kind: req.kind,
      shard: 0,
      shards: 1,
      replayOf: null,
      status: 'STARTED' as const,
      startedAt: '',
      endedAt: null,
      heartbeatAt: '',
      lastPage: 0,
      pageSize: 3,
      counts: { pages: 0, rowsFetched: 0, rowsPublished: 0, rowsRejected: 0 },
      lastError: null,
      host: req.host,
      pid: req.pid,
    };
    return { instance: { id: 3, jobName: 'toss-settlements', window: req.window }, execution, resumeAfterPage: 0, recovered: [], replayOf: null };
  }
  async checkpoint(cp: PageCheckpoint): Promise<void> {
    this.events.push(`checkpoint ${cp.page}`);
  }
  async heartbeat(): Promise<void> {}
  async finish(_id: number, status: Exclude<ExecutionStatus, 'STARTED'>, counts: ExecutionCounts, error: string | null): Promise<void> {
    this.events.push(`finish ${status}`);
    this.finished = { status, counts, error };
  }
  async release(): Promise<void> {
    this.events.push('release');
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function setup(pages: Row[][], options: { ackAtOnce?: boolean; onRead?: (page: number, stop: AbortController, drain: AbortController) => void } = {}) {
  const events: string[] = [];
  const stop = new AbortController();
  const drain = new AbortController();
  const publisher = new HeldPublisher(events, options.ackAtOnce);
  const jobs = new Jobs(events);
  const reader = new Reader(events, pages, (p) => options.onRead?.(p, stop, drain));
  const job = new RunSettlementJob({
    reader,
    source: reader,
    publisher,
    jobs,
    clock: { now: () => new Date() },
    log: silent,
    host: 'h',
    pid: 1,
    pagesInFlight: 2,
  });
  return { events, publisher, jobs, stop, drain, run: () => job.run({ window, pageSize: 3, signal: stop.signal, drainDeadline: drain.signal }) };
}

describe('RunSettlementJob stopped with pages in flight', () => {
  it('at the drain deadline abandons the unacknowledged pages: checkpoints only the acknowledged ones, STOPPED, SHUTDOWN_DEADLINE_EXCEEDED', async () => {
    const { events, publisher, jobs, stop, drain, run } = setup([page(1, 3), page(4, 3), page(7, 3), page(10, 3), page(13, 1)]);
    const running = run();
    running.catch(() => undefined);
    await tick();
    publisher.held.get(1)?.ack();
    await tick();
    expect(events).toEqual(['read 1', 'publish 1', 'read 2', 'publish 2', 'checkpoint 1', 'read 3', 'publish 3']);
    // SIGTERM while pages 2 and 3 wait for acks that never come (the broker is gone)
    stop.abort('SIGTERM');
    await tick();
    expect(events).not.toContain('finish STOPPED'); // still waiting for them: the deadline is not there yet
    drain.abort();
    await expect(running).rejects.toMatchObject({
      code: 'SHUTDOWN_DEADLINE_EXCEEDED',
      category: 'transient',
      message: expect.stringMatching(/page\(s\) 2, 3 .*not checkpointed.*STOPPED after page 1/) as unknown,
    });
    expect(events.slice(7)).toEqual(['finish STOPPED', 'release']);
    expect(jobs.finished).toMatchObject({
      status: 'STOPPED',
      counts: { pages: 1, rowsFetched: 3, rowsPublished: 3 },
      error: expect.stringContaining('STOPPED after page 1') as unknown,
    });
    // an acknowledgement arriving after the deadline is never checkpointed
    publisher.held.get(2)?.ack();
    publisher.held.get(3)?.ack();
    await tick();
    expect(events.filter((e) => e.startsWith('checkpoint'))).toEqual(['checkpoint 1']);
  });

  it('acknowledged before the drain deadline: every page in flight is checkpointed and the run is STOPPED (no deadline error)', async () => {
    const { events, publisher, jobs, stop, run } = setup([page(1, 3), page(4, 3), page(7, 3), page(10, 1)]);
    const running = run();
    await tick();
    stop.abort('SIGTERM');
    publisher.held.get(1)?.ack();
    await tick();
    publisher.held.get(2)?.ack();
    await expect(running).resolves.toMatchObject({ outcome: 'STOPPED', counts: { pages: 2 } });
    expect(events).toEqual(['read 1', 'publish 1', 'read 2', 'publish 2', 'checkpoint 1', 'checkpoint 2', 'finish STOPPED', 'release']);
    expect(jobs.finished?.error).toBe('stopped by signal');
  });

  it('a page acknowledged before the drain deadline is checkpointed even when its turn comes after it', async () => {
    // the signal and the deadline both land while page 2 is read; page 1 was acknowledged at once
    const { events, run } = setup([page(1, 3), page(4, 3), page(7, 1)], {
      ackAtOnce: true,
      onRead: (p, stop, drain) => {
        if (p !== 2) return;
        stop.abort('SIGTERM');
        drain.abort();
      },
    });
    await expect(run()).resolves.toMatchObject({ outcome: 'STOPPED', counts: { pages: 2 } });
    expect(events).toEqual(['read 1', 'publish 1', 'read 2', 'publish 2', 'checkpoint 1', 'checkpoint 2', 'finish STOPPED', 'release']);
  });

  it('without a drain deadline the pages in flight are awaited however long (a run that was not stopped)', async () => {
    const events: string[] = [];
    const publisher = new HeldPublisher(events);
    const reader = new Reader(events, [page(1, 3), page(4, 1)]);
    const job = new RunSettlementJob({
      reader,
      source: reader,
      publisher,
      jobs: new Jobs(events),
      clock: { now: () => new Date() },
      log: silent,
      host: 'h',
      pid: 1,
      pagesInFlight: 2,
    });
    const running = job.run({ window, pageSize: 3 });
    for (let i = 0; i < 5; i++) await tick();
    expect(events).not.toContain('finish COMPLETED');
    publisher.held.get(1)?.ack();
    await tick();
    publisher.held.get(2)?.ack();
    await expect(running).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 2 } });
  });
});
