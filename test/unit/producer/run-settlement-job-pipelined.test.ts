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
import { SettleError } from '../../../src/domain/shared/settle-error.js';

type Row = Record<string, unknown>;
const [approval] = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as [Row];
const page = (first: number, count: number): Row[] =>
  Array.from({ length: count }, (_, i) => ({ ...approval, transactionKey: `T${first + i}`, paymentKey: `P${first + i}` }));
const window = settlementWindow('2025-02-03', '2025-02-07');
const silent: Log = { info() {}, warn() {}, error() {}, debug() {} };

class Reader implements SettlementPageReader, SettlementSource {
  constructor(
    private readonly events: string[],
    private readonly data: Row[][],
  ) {}
  async *pages(_w: SettlementWindow, startPage: number, size: number): AsyncIterable<FetchedPage> {
    for (let p = startPage; p <= this.data.length; p++) {
      const rows = this.data[p - 1] ?? [];
      this.events.push(`read ${p}`);
      yield { page: p, rows };
      if (rows.length < size) return;
    }
  }
  async fetchPage(_w: SettlementWindow, page: number): Promise<unknown[]> {
    this.events.push(`ask ${page}`);
    return this.data[page - 1] ?? [];
  }
}

/** Acknowledges pages only when the test says so, in whatever order it chooses. */
class HeldPublisher implements SettlementPublisher {
  readonly held = new Map<number, { ack: () => void; fail: (e: Error) => void }>();
  constructor(private readonly events: string[]) {}
  publish(_rows: readonly Settlement[], meta: PublishMeta): Promise<RejectedSettlement[]> {
    this.events.push(`publish ${meta.page}`);
    return new Promise((resolve, reject) => this.held.set(meta.page, { ack: () => resolve([]), fail: reject }));
  }
  async publishRejects(): Promise<void> {}
}

class Jobs implements JobRepository {
  finished: { status: ExecutionStatus; counts: ExecutionCounts } | null = null;
  constructor(private readonly events: string[]) {}
  async start(req: StartRequest): Promise<StartedExecution> {
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
  async finish(_id: number, status: Exclude<ExecutionStatus, 'STARTED'>, counts: ExecutionCounts): Promise<void> {
    this.events.push(`finish ${status}`);
    this.finished = { status, counts };
  }
  async release(): Promise<void> {}
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function setup(pages: Row[][]) {
  const events: string[] = [];
  const publisher = new HeldPublisher(events);
  const jobs = new Jobs(events);
  const reader = new Reader(events, pages);
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
  return { events, publisher, jobs, run: () => job.run({ window, pageSize: 3 }) };
}

describe('RunSettlementJob with two pages in flight', () => {
  it('hands the next page over while the previous one is unacknowledged, but never a third', async () => {
    const { events, publisher, run } = setup([page(1, 3), page(4, 3), page(7, 3), page(10, 1)]);
    const running = run();
    await tick();
    expect(events).toEqual(['read 1', 'publish 1', 'read 2', 'publish 2']);
    publisher.held.get(1)?.ack();
    await tick();
    expect(events.slice(4)).toEqual(['checkpoint 1', 'read 3', 'publish 3']);
    for (const p of [2, 3, 4]) {
      publisher.held.get(p)?.ack();
      await tick();
    }
    await expect(running).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 4, rowsFetched: 10, rowsPublished: 10 } });
    // the short page 4 is confirmed (asked again, then page 5) after page 3 was handed over, and only then handed over itself
    expect(events.slice(7)).toEqual(['checkpoint 2', 'read 4', 'ask 4', 'ask 5', 'publish 4', 'checkpoint 3', 'checkpoint 4', 'finish COMPLETED']);
  });

  it('checkpoints in page order when a later page is acknowledged first', async () => {
    const { events, publisher, run } = setup([page(1, 3), page(4, 1)]);
    const running = run();
    await tick();
    publisher.held.get(2)?.ack();
    await tick();
    expect(events.filter((e) => e.startsWith('checkpoint'))).toEqual([]); // page 2 waits for page 1
    publisher.held.get(1)?.ack();
    await running;
    expect(events.filter((e) => e.startsWith('checkpoint'))).toEqual(['checkpoint 1', 'checkpoint 2']);
  });

  it('checkpoints nothing after a page whose publish failed, even when later pages were acknowledged', async () => {
    const { events, publisher, jobs, run } = setup([page(1, 3), page(4, 3), page(7, 1)]);
    const running = run();
    await tick();
    publisher.held.get(2)?.ack();
    publisher.held.get(1)?.fail(new SettleError('KAFKA_PUBLISH_FAILED', 'broker down'));
    await expect(running).rejects.toMatchObject({ code: 'KAFKA_PUBLISH_FAILED' });
    expect(events.filter((e) => e.startsWith('checkpoint'))).toEqual([]);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 0 } });
  });

  it('waits for the page after a failed one to settle before recording the failure', async () => {
    const { events, publisher, run } = setup([page(1, 3), page(4, 3), page(7, 3), page(10, 1)]);
    const running = run();
    await tick();
    publisher.held.get(1)?.ack();
    await tick();
    publisher.held.get(2)?.fail(new SettleError('KAFKA_PUBLISH_FAILED', 'broker down'));
    await tick();
    expect(events).not.toContain('finish FAILED'); // page 3 is still with the publisher
    publisher.held.get(3)?.ack();
    await expect(running).rejects.toMatchObject({ code: 'KAFKA_PUBLISH_FAILED' });
    expect(events.filter((e) => e.startsWith('checkpoint') || e.startsWith('finish'))).toEqual(['checkpoint 1', 'finish FAILED']);
  });
});
