import { describe, expect, it } from 'vitest';
import { FakeJobs, FakeReader, fakeJob, HeldPublisher, page, tick, window, type Row } from './run-settlement-job-fakes.js';

/**
 * The stop of a run (SIGTERM) with pages in flight: they are awaited until the drain deadline; what Kafka acknowledged
 * by then is checkpointed, what it did not is abandoned, never checkpointed, and the run fails SHUTDOWN_DEADLINE_EXCEEDED
 * with the execution STOPPED after its last acknowledged page (a rerun resumes exactly there).
 */

/** A run of two pages in flight that `stop` stops (SIGTERM) and whose drain deadline is `drain`; `onRead` may pull either. */
function setup(pages: Row[][], options: { ackAtOnce?: boolean; onRead?: (page: number, stop: AbortController, drain: AbortController) => void } = {}) {
  const events: string[] = [];
  const stop = new AbortController();
  const drain = new AbortController();
  const publisher = new HeldPublisher(events, options.ackAtOnce);
  const jobs = new FakeJobs(events, 0, ['release']);
  const reader = new FakeReader(events, pages, undefined, (p) => options.onRead?.(p, stop, drain));
  const job = fakeJob({ reader, source: reader, publisher, jobs, pagesInFlight: 2 });
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
    const reader = new FakeReader(events, [page(1, 3), page(4, 1)]);
    const job = fakeJob({ reader, source: reader, publisher, jobs: new FakeJobs(events, 0, ['release']), pagesInFlight: 2 });
    const running = job.run({ window, pageSize: 3 });
    for (let i = 0; i < 5; i++) await tick();
    expect(events).not.toContain('finish COMPLETED');
    publisher.held.get(1)?.ack();
    await tick();
    publisher.held.get(2)?.ack();
    await expect(running).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 2 } });
  });
});
