import { describe, expect, it } from 'vitest';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { FakeJobs, FakeReader, fakeJob, HeldPublisher, page, tick, window, type Row } from './run-settlement-job-fakes.js';

function setup(pages: Row[][]) {
  const events: string[] = [];
  const publisher = new HeldPublisher(events);
  const jobs = new FakeJobs(events, 0, []);
  const reader = new FakeReader(events, pages);
  const job = fakeJob({ reader, source: reader, publisher, jobs, pagesInFlight: 2 });
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

  it('fails a page whose publisher throws instead of rejecting as one that rejects: the page before it is still awaited and checkpointed', async () => {
    const events: string[] = [];
    const publisher = new HeldPublisher(events);
    const held = publisher.publish.bind(publisher);
    publisher.publish = (rows, meta) => {
      if (meta.page === 2) throw new SettleError('KAFKA_PUBLISH_FAILED', 'thrown, not rejected');
      return held(rows, meta);
    };
    const reader = new FakeReader(events, [page(1, 3), page(4, 3), page(7, 1)]);
    const job = fakeJob({ reader, source: reader, publisher, jobs: new FakeJobs(events, 0, []), pagesInFlight: 2 });
    const running = job.run({ window, pageSize: 3 });
    running.catch(() => undefined);
    await tick();
    expect(events).toEqual(['read 1', 'publish 1', 'read 2']); // page 2's publish threw
    // as with a rejected page: page 1 is checkpointed once acknowledged, the run goes on to the next page, and the
    // failure is recorded once that page has settled
    publisher.held.get(1)?.ack();
    await tick();
    expect(events.slice(3)).toEqual(['checkpoint 1', 'read 3', 'ask 3', 'ask 4', 'publish 3']);
    publisher.held.get(3)?.ack();
    await expect(running).rejects.toMatchObject({ code: 'KAFKA_PUBLISH_FAILED' });
    expect(events.filter((e) => e.startsWith('checkpoint') || e.startsWith('finish'))).toEqual(['checkpoint 1', 'finish FAILED']);
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
