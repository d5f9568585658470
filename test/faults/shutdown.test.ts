import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whileRunning, type CliRun } from '../support/producer-cli.js';
import { startService, stopService } from './support/fault-stack.js';
import { KAFKA_TROUBLE, lineMatching, Scenario, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;
const SHUTDOWN_TIMEOUT_MS = 10_000;

interface OwnShutdown {
  readonly tookMs: number;
  readonly deadlineMs: number;
  readonly code: string | null;
}

/**
 * The process's own measure of its stop: its "shutdown" log line, tookMs from the signal next to the deadline it was
 * configured with. A clock in the test would also count the process's start of exit and the load of a shared machine.
 */
function ownShutdown(run: CliRun): OwnShutdown {
  const lines = run.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'shutdown');
  expect(lines, `one "shutdown" line in its log:\n${run.stderr.slice(-3000)}`).toHaveLength(1);
  const [line] = lines as [Record<string, unknown>];
  return { tookMs: Number(line.tookMs), deadlineMs: Number(line.deadlineMs), code: (line.code as string | null | undefined) ?? null };
}

describe('faults 9: shutdown under trouble', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => {
    ctx?.toss.release();
    await startService('kafka');
    await ctx?.close();
  });

  it('9: SIGTERM while the broker is unreachable still exits within SHUTDOWN_TIMEOUT_MS, with the documented code', async () => {
    const s = new Scenario('9 SIGTERM, broker unreachable', ctx);
    await s.setup();
    expect(await s.produceUntilDone()).toEqual([0]);
    const consumer = s.start(['consume'], { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
    let log = '';
    consumer.child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await s.injectAt(
      'broker stopped',
      () => s.storedRecords(),
      Math.floor(s.expected.rows * 0.2),
      s.expected.rows,
      () => stopService('kafka'),
    );
    // the consumer is in its reconnect loop once kafkajs reports the broker it lost
    await waitFor(
      'the consumer to report the lost broker',
      () => /ECONNREFUSED|Connection error|KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded/i.test(log),
      120_000,
    );
    consumer.child.kill('SIGTERM');
    const exit = await consumer.done;
    // the deadline is the contract under test, as the process measured its own stop from the signal
    const own = ownShutdown(exit);
    s.note(`SIGTERM in the reconnect loop: exit ${exit.code} after ${(own.tookMs / 1000).toFixed(1)} s by its own clock (deadline ${own.deadlineMs / 1000} s)`);
    expect(own.deadlineMs).toBe(SHUTDOWN_TIMEOUT_MS);
    expect(own.tookMs).toBeLessThanOrEqual(own.deadlineMs);
    // documented: 0 when the stop finished within the deadline; 4 (SHUTDOWN_DEADLINE_EXCEEDED) when it could not
    if (exit.code === 4) expect(exit.stderr).toContain('SHUTDOWN_DEADLINE_EXCEEDED');
    else expect(exit.code).toBe(0);

    await startService('kafka');
    s.startConsumer();
    await waitFor('a new consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish()).toMatchObject({ lost: 0, duplicated: 0, result: 'PASS' });
  });

  it('9b: SIGTERM to settle produce while the broker is stopped mid-window: exit 4 within its own deadline, the rerun resumes', async () => {
    // one rerun: the scenario's own, after the stop (and one more should the restarted broker not serve it at once)
    const s = new Scenario('9b SIGTERM produce, broker stopped', ctx, { reruns: 2 });
    await s.setup();
    const total = s.expected.rows;
    // the producer is held on a page 30% into the window (a state): pages before it are published, none after
    const page = Math.ceil((0.3 * total) / ctx.pageSize);
    const held = ctx.toss.hold(page);
    const producer = s.start(s.produceArgs(), { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
    let log = '';
    producer.child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await whileRunning(producer, held, `it asked for page ${page}`);
    const before = await whileRunning(
      producer,
      waitFor('rows published before the held page', async () => (await s.publishedRows()) || null),
      'rows published',
    );
    await stopService('kafka');
    const mark = log.length;
    // the held page is answered: the producer hands it to a Kafka that is gone, and kafkajs retries it
    ctx.toss.release();
    const evidence = await whileRunning(
      producer,
      waitFor('the producer to meet the stopped broker', () => lineMatching(log, mark, KAFKA_TROUBLE), 300_000, 250),
      'a Kafka connection error',
    );
    s.hit(
      `broker stopped with page ${page} held, ${before} rows published (${Math.round((100 * before) / total)}%); producer met it: ${evidence}`,
      'the producer never met the stopped broker',
    );
    producer.child.kill('SIGTERM');
    const stopped = await producer.done;

    // documented: exit 4 (a rerun resumes); SHUTDOWN_DEADLINE_EXCEEDED when pages in flight were given up at the
    // deadline, JOB_STOPPED when they settled before it (kafkajs gave up on them first)
    const own = ownShutdown(stopped);
    s.note(
      `SIGTERM with pages in flight: exit ${stopped.code} (${own.code ?? 'STOPPED'}) after ${(own.tookMs / 1000).toFixed(1)} s by its own clock (deadline ${own.deadlineMs / 1000} s)`,
    );
    expect(stopped.code, stopped.stderr.slice(-3000)).toBe(4);
    expect(stopped.stderr).toMatch(/settle: (SHUTDOWN_DEADLINE_EXCEEDED|JOB_STOPPED): /);
    expect(own.deadlineMs).toBe(SHUTDOWN_TIMEOUT_MS);
    expect(own.tookMs).toBeLessThanOrEqual(own.deadlineMs);
    // STOPPED after the last acknowledged page: nothing from the held page on (sent to the stopped broker) is checkpointed
    const [halted, ...others] = await s.query<{ id: number; status: string; last_page: number }>(
      'SELECT id, status, last_page FROM job_executions ORDER BY id',
    );
    expect(others).toEqual([]);
    expect(halted?.status).toBe('STOPPED');
    expect(halted?.last_page).toBeLessThan(page);

    await startService('kafka');
    const codes = await s.produceUntilDone();
    expect(codes.at(-1)).toBe(0);
    const [rerun] = await s.query<{ resumed_from: number | null }>('SELECT resumed_from FROM job_executions WHERE id > ? ORDER BY id LIMIT 1', [halted?.id]);
    expect(rerun?.resumed_from).toBe(halted?.id);
    s.startConsumer();
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish(`produce exits 4,${codes.join(',')}; the rerun resumed after page ${halted?.last_page}`)).toMatchObject({
      lost: 0,
      duplicated: 0,
      result: 'PASS',
    });
  });
});
