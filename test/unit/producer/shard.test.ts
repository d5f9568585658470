import { describe, expect, it } from 'vitest';
import type { JobExecution } from '../../../src/domain/batch/job-execution.js';
import { resumePosition } from '../../../src/domain/batch/resume-position.js';
import { firstPage, ownsPage, shard, windowRuns } from '../../../src/domain/batch/shard.js';
import { shardFromFlags } from '../../../src/presentation/cli/flag-parsers.js';

const exec = (id: number, kind: JobExecution['kind'], index: number, shards: number, status: JobExecution['status']): JobExecution => ({
  id,
  instanceId: 1,
  kind,
  shard: index,
  shards,
  replayOf: null,
  status,
  startedAt: '',
  endedAt: null,
  heartbeatAt: '',
  lastPage: 0,
  pageSize: 5,
  counts: { pages: 0, rowsFetched: 0, rowsPublished: 0, rowsRejected: 0 },
  lastError: null,
  host: null,
  pid: null,
});

describe('a window split across workers', () => {
  it('gives every page to exactly one of N workers, worker I starting at page I+1', () => {
    const workers = [0, 1, 2].map((i) => shard(i, 3));
    for (let page = 1; page <= 30; page++) expect(workers.filter((w) => ownsPage(w, page))).toHaveLength(1);
    expect(workers.map(firstPage)).toEqual([1, 2, 3]);
    expect(ownsPage(shard(0, 1), 17)).toBe(true);
  });

  it.each([
    [3, 3, /--shard .*0 to 2/],
    [-1, 2, /--shard/],
    [0, 0, /--shards .*1 to 256/],
    [0, 257, /--shards/],
  ])('refuses worker %i of %i naming the flag', (index, count, message) => {
    expect(() => shard(index, count)).toThrow(message);
  });

  it('takes the index from --shard, else JOB_COMPLETION_INDEX (an Indexed Job), and names both when neither is there', () => {
    expect(shardFromFlags({ shards: 3, shard: 2 }, { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 2, count: 3 });
    expect(shardFromFlags({ shards: 3 }, { JOB_COMPLETION_INDEX: '1' })).toEqual({ index: 1, count: 3 });
    expect(shardFromFlags({}, { JOB_COMPLETION_INDEX: '1' })).toEqual({ index: 0, count: 1 });
    expect(() => shardFromFlags({ shards: 3 }, {})).toThrow(/--shard <0\.\.2> or JOB_COMPLETION_INDEX/);
    expect(() => shardFromFlags({ shards: 3 }, { JOB_COMPLETION_INDEX: 'x' })).toThrow(/JOB_COMPLETION_INDEX must be a whole number/);
    expect(() => shardFromFlags({ shards: 2 }, { JOB_COMPLETION_INDEX: '5' })).toThrow(/0 to 1/);
    expect(() => shardFromFlags({ shard: 1 }, {})).toThrow(/--shard needs --shards/);
  });

  it('a worker resumes only with its own page size', () => {
    expect(resumePosition({ executionId: 4, lastPage: 8, pageSize: 5 }, 5, 'w', 3)).toEqual({ afterPage: 8, convertedFrom: null });
    expect(() => resumePosition({ executionId: 4, lastPage: 8, pageSize: 5 }, 10, 'w', 3)).toThrow(/own page size/);
  });
});

describe('windowRuns: what `jobs list` shows as one line', () => {
  it('is COMPLETED only once every worker is, with each worker represented by its latest execution', () => {
    const started = [exec(1, 'RUN', 0, 3, 'COMPLETED'), exec(2, 'RUN', 1, 3, 'FAILED'), exec(3, 'RUN', 2, 3, 'COMPLETED')];
    expect(windowRuns(started).map((r) => r.status)).toEqual(['FAILED']);
    const resumed = [...started, exec(4, 'RUN', 1, 3, 'STARTED')];
    expect(windowRuns(resumed)).toMatchObject([{ status: 'STARTED', shards: 3 }]);
    const done = [...started, exec(4, 'RUN', 1, 3, 'COMPLETED')];
    const [run] = windowRuns(done);
    expect(run?.status).toBe('COMPLETED');
    expect(run?.workers.map((w) => w?.id)).toEqual([1, 4, 3]);
    expect(run?.executions.map((e) => e.id)).toEqual([1, 2, 3, 4]);
  });

  it('a worker that never started keeps the run PENDING; a replay after a completed one is a run of its own', () => {
    expect(windowRuns([exec(1, 'RUN', 0, 2, 'COMPLETED')]).map((r) => r.status)).toEqual(['PENDING']);
    const runs = windowRuns([
      exec(1, 'RUN', 0, 1, 'COMPLETED'),
      exec(2, 'REPLAY', 0, 2, 'COMPLETED'),
      exec(3, 'REPLAY', 1, 2, 'COMPLETED'),
      exec(4, 'REPLAY', 0, 2, 'STARTED'),
    ]);
    expect(runs.map((r) => [r.kind, r.shards, r.status])).toEqual([
      ['RUN', 1, 'COMPLETED'],
      ['REPLAY', 2, 'COMPLETED'],
      ['REPLAY', 2, 'STARTED'],
    ]);
  });
});
