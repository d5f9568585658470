import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { faultStack } from './support/fault-stack.js';
import { type LiveProducer, Scenario, waitFor } from './support/scenario.js';
import type { SupervisedConsumer } from './support/supervised-consumer.js';
import { RESULTS_FILE } from './support/results.js';
import { createSuiteContext } from './support/suite.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;

const LATENCY_MS = 40; // each way, so 80 ms a round trip
/** How long a stalled process may take to notice (a timeout or a connection error, or exit 4): a hang guard, not a speed target. */
const STALL_HANG_GUARD_MS = 420_000;
/** The statement deadline of the MySQL scenarios: above this server's innodb_lock_wait_timeout (5 s), below the 60 s default to keep the run short. */
const MYSQL_QUERY_TIMEOUT_MS = '8000';
const PASS = { lost: 0, duplicated: 0, result: 'PASS' } as const;

/**
 * What a process printed that says it noticed a dead or stalled path: a warning or error naming a timeout or
 * a connection failure (JSON log lines at level ≥ 40, or the CLI's final `settle: CODE: …` line).
 */
const NOTICED =
  /timed? ?out|ETIMEDOUT|ECONNRESET|ECONNREFUSED|EPIPE|connection (lost|closed|error|timeout)|KafkaJSConnection|KafkaJSRequestTimeout|MYSQL_QUERY_TIMEOUT|MYSQL_ETIMEDOUT|MYSQL_CONNECTION_CLOSED|PROTOCOL_CONNECTION_LOST/i;

function noticedLines(log: string, from: number): string[] {
  return log
    .slice(from)
    .split('\n')
    .filter((line) => {
      if (!NOTICED.test(line)) return false;
      if (line.startsWith('settle: ')) return true;
      try {
        return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 40;
      } catch {
        return false; // not a log line
      }
    });
}

const noticed = (log: string, from: number): string | null => noticedLines(log, from)[0] ?? null;

/** The moment a stall began, per process: where its log stood and how often it had exited. */
interface Mark {
  readonly at: number;
  readonly producerLog: number;
  readonly producerExits: number;
  readonly consumerLog: number;
  readonly consumerRestarts: number;
}

const markNow = (producer: LiveProducer, consumer: SupervisedConsumer): Mark => ({
  at: Date.now(),
  producerLog: producer.log.length,
  producerExits: producer.codes.length,
  consumerLog: consumer.log.length,
  consumerRestarts: consumer.restarts,
});

/** Waits (hang guard) until the producer printed a timeout/connection error or exited 4 since the mark; returns what it did. */
async function producerNoticed(producer: LiveProducer, mark: Mark, what: string): Promise<string> {
  return waitFor(
    `the producer to report the stalled ${what} (a timeout or connection error, or exit 4)`,
    () => {
      const line = noticed(producer.log, mark.producerLog);
      if (line) return `producer logged after ${Math.round((Date.now() - mark.at) / 1000)} s: ${summary(line)}`;
      if (producer.codes.slice(mark.producerExits).includes(4)) return `producer exited 4 after ${Math.round((Date.now() - mark.at) / 1000)} s`;
      return null;
    },
    STALL_HANG_GUARD_MS,
    250,
  );
}

async function consumerNoticed(consumer: SupervisedConsumer, mark: Mark, what: string): Promise<string> {
  return waitFor(
    `the consumer to report the stalled ${what} (a timeout or connection error, or exit 4)`,
    () => {
      const line = noticed(consumer.log, mark.consumerLog);
      if (line) return `consumer logged after ${Math.round((Date.now() - mark.at) / 1000)} s: ${summary(line)}`;
      if (consumer.restarts > mark.consumerRestarts) return `consumer exited 4 after ${Math.round((Date.now() - mark.at) / 1000)} s`;
      return null;
    },
    STALL_HANG_GUARD_MS,
    250,
  );
}

/** The code or message of a log line, short enough for the table's notes. */
function summary(line: string): string {
  try {
    const e = JSON.parse(line) as { msg?: string; code?: string; err?: unknown; error?: unknown };
    const err = typeof e.err === 'string' ? e.err : typeof e.error === 'string' ? e.error : ((e.err as { message?: string } | undefined)?.message ?? '');
    return [e.code, e.msg, err].filter(Boolean).join(' ').slice(0, 140);
  } catch {
    return line.slice(0, 140);
  }
}

/** Exit codes of a producer that must end with a completed run: zero or more exit 4, then 0. */
function expectResumedToCompletion(codes: readonly number[]): void {
  expect(codes.at(-1)).toBe(0);
  expect(codes.slice(0, -1).every((c) => c === 4)).toBe(true);
}

/** Stalls the proxied path once 30% of the rows are published; returns the moment it began. */
async function stallAtPublished(s: Scenario, target: 'Kafka' | 'MySQL', proxy: TcpProxy, producer: LiveProducer, consumer: SupervisedConsumer): Promise<Mark> {
  const total = s.expected.rows;
  const marks: Mark[] = [];
  await s.injectAt(
    `${target} stalled`,
    () => s.publishedRows(),
    Math.floor(total * 0.3),
    total,
    () => {
      marks.push(markNow(producer, consumer));
      proxy.stall();
    },
  );
  const mark = marks[0];
  if (!mark) throw new Error('the stall was not injected');
  return mark;
}

/** Ends the stall begun at `mark`; the producer must then complete (after exits 4 only) and the consumer catch up. */
async function resumeToCompletion(s: Scenario, proxy: TcpProxy, producer: LiveProducer, mark: Mark): Promise<number[]> {
  proxy.resume();
  s.note(`resumed after ${Math.round((Date.now() - mark.at) / 1000)} s`);
  const codes = await producer.done;
  expectResumedToCompletion(codes);
  await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
  return codes;
}

describe('faults 6: the network to Kafka and to MySQL: latency, cuts, stalls (TCP proxy)', () => {
  let ctx: Ctx;
  const proxies: TcpProxy[] = [];
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  // what each process printed, kept next to the results for whoever reads a failure
  const logs: Array<{ name: string; text: () => string }> = [];
  // a failed scenario leaves no process behind (finish() stops the consumers of one that got that far)
  const processes: Array<{ consumer: SupervisedConsumer; producer?: LiveProducer }> = [];
  afterEach(async () => {
    for (const { consumer, producer } of processes.splice(0)) await Promise.all([consumer.stop(), producer?.kill()]);
    for (const p of proxies.splice(0)) await p.close();
    mkdirSync(dirname(RESULTS_FILE), { recursive: true });
    for (const l of logs.splice(0)) writeFileSync(join(dirname(RESULTS_FILE), `network-${l.name}.log`), l.text());
  });
  const keepLogs = (s: Scenario, consumer: SupervisedConsumer, producer?: LiveProducer) => {
    processes.push({ consumer, ...(producer ? { producer } : {}) });
    const id = s.name.split(' ')[0] ?? s.name;
    logs.push({ name: `${id}-consumer`, text: () => consumer.log });
    if (producer) logs.push({ name: `${id}-producer`, text: () => producer.log });
  };
  afterAll(async () => ctx?.close());

  /**
   * Every Kafka connection of settle through the proxy: it listens on the port the broker's second listener
   * advertises, so bootstrap and every broker connection after metadata come here.
   */
  async function kafkaProxy(): Promise<{ proxy: TcpProxy; route: Record<string, string> }> {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: faultStack.proxiedListener }, faultStack.proxiedAdvertised);
    proxies.push(proxy);
    return { proxy, route: { KAFKA_BROKERS: `127.0.0.1:${faultStack.proxiedAdvertised}` } };
  }

  async function mysqlProxy(s: Scenario): Promise<{ proxy: TcpProxy; route: Record<string, string> }> {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: ctx.db.port });
    proxies.push(proxy);
    return { proxy, route: { MYSQL_URL: ctx.db.url(s.database, proxy.port) } };
  }

  /** The path a scenario disturbs: every Kafka connection or every MySQL connection of settle, through a proxy. */
  type Target = 'Kafka' | 'MySQL';
  const proxyTo = (target: Target, s: Scenario) => (target === 'Kafka' ? kafkaProxy() : mysqlProxy(s));

  it.each([
    [`6a: Kafka +${LATENCY_MS} ms each way for the whole run (produce and consume)`, { id: '6a', target: 'Kafka' }],
    [`6d: MySQL +${LATENCY_MS} ms each way for the whole run (the loader's transactions, the producer's claim and checkpoints)`, { id: '6d', target: 'MySQL' }],
  ] as const)('%s', async (_title, { id, target }) => {
    const s = new Scenario(`${id} ${target} latency ${LATENCY_MS} ms each way`, ctx); // latency alone fails nothing: no restart, no rerun
    await s.setup();
    const { proxy, route } = await proxyTo(target, s);
    proxy.latency(LATENCY_MS);
    s.note(`${target} +${LATENCY_MS} ms each way, whole run`);
    const consumer = s.startConsumer(route);
    keepLogs(s, consumer);
    expect(await s.produceUntilDone(route)).toEqual([0]);
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await s.finish(`${proxy.connections()} ${target} connections via the proxy`)).toMatchObject(PASS);
  });

  // each cut may end one produce run (Kafka: exit 4; MySQL: its claim connection) and one consumer run; a rerun and a restart per cut
  it.each([
    [
      '6b: every Kafka connection cut 3 times mid-run',
      {
        scenario: '6b Kafka connections cut x3',
        target: 'Kafka',
        cuts: [
          ['published', 0.15],
          ['published', 0.4],
          ['stored', 0.65],
        ],
      },
    ],
    [
      "6e: every MySQL connection cut mid-run, twice (the producer's claim connection among them)",
      {
        scenario: '6e MySQL connections cut x2',
        target: 'MySQL',
        cuts: [
          ['published', 0.25],
          ['stored', 0.6],
        ],
      },
    ],
  ] as const)('%s', async (_title, { scenario, target, cuts }) => {
    const s = new Scenario(scenario, ctx, { reruns: cuts.length, restarts: cuts.length });
    await s.setup();
    const { proxy, route } = await proxyTo(target, s);
    const consumer = s.startConsumer(route);
    const producer = s.liveProducer(route);
    keepLogs(s, consumer, producer);
    const total = s.expected.rows;
    const cut: number[] = [];
    // rows published (the producer's side) or records stored (the loader's) when each cut comes
    for (const [progress, at] of cuts)
      await s.injectAt(
        `${target} cut`,
        progress === 'published' ? () => s.publishedRows() : () => s.storedRecords(),
        Math.floor(total * at),
        total,
        () => void cut.push(proxy.cut()),
      );
    expect(cut.every((n) => n > 0)).toBe(true); // each cut closed live connections
    const codes = await producer.done;
    expectResumedToCompletion(codes);
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(proxy.connections()).toBeGreaterThan(cut.length);
    expect(await s.finish(`connections cut ${cut.join('/')}; produce exits ${codes.join(',')}`)).toMatchObject(PASS);
  });

  it('6c: Kafka stalled mid-run (nothing forwarded, nothing closed): both processes notice by a timeout, the consumer replaces its connections within the bound, then both recover', async () => {
    /** The consumer's Kafka request timeout and heartbeat in this scenario, passed explicitly (the defaults). */
    const CONSUMER_REQUEST_TIMEOUT_MS = 30_000;
    const CONSUMER_HEARTBEAT_INTERVAL_MS = 3_000;
    /**
     * How long the broker may have been silent when the consumer says its connection stalled and closes it (the
     * `stalledMs` of its log line): one request timeout after the first request that got no answer, which went out
     * at most two heartbeat intervals after the last answer (heartbeats, commits and fetches keep one in flight),
     * plus slack for kafkajs's 100 ms timeout check and a busy event loop. 41 s here: within the minute.
     */
    const STALL_BOUND_MS = CONSUMER_REQUEST_TIMEOUT_MS + 2 * CONSUMER_HEARTBEAT_INTERVAL_MS + 5_000;
    /** The consumer's first line about the stall after `from`: when it saw it and how long the broker had been silent. */
    /** The producer's request timeout (kafkajs's default, as settle sets it) plus the same slack. */
    const PRODUCER_STALL_BOUND_MS = 30_000 + 5_000;
    /** A process's first `Kafka request timed out` line after `from` that closed connections. */
    const timedOutLine = (log: string, from: number) => {
      for (const line of log.slice(from).split('\n')) {
        if (!line.includes('"msg":"Kafka request timed out:')) continue;
        const e = JSON.parse(line) as { waitedMs?: unknown; closedConnections?: unknown };
        if (Number(e.closedConnections) > 0) return { waitedMs: Number(e.waitedMs), closedConnections: Number(e.closedConnections), at: line };
      }
      return null;
    };
    const stallLine = (log: string, from: number) => {
      for (const line of log.slice(from).split('\n')) {
        if (!line.includes('"msg":"Kafka request timed out:')) continue;
        const e = JSON.parse(line) as { stalledMs?: unknown; ready?: unknown; closedConnections?: unknown };
        if (typeof e.stalledMs === 'number') return { stalledMs: e.stalledMs, ready: e.ready, closedConnections: Number(e.closedConnections), at: line };
      }
      return null;
    };

    // the producer's Kafka client gives up on the stalled path once (exit 4) and its rerun completes
    const s = new Scenario('6c Kafka stalled', ctx, { reruns: 2 });
    await s.setup();
    const { proxy, route } = await kafkaProxy();
    const consumer = s.startConsumer({
      ...route,
      CONSUMER_REQUEST_TIMEOUT_MS: String(CONSUMER_REQUEST_TIMEOUT_MS),
      CONSUMER_HEARTBEAT_INTERVAL_MS: String(CONSUMER_HEARTBEAT_INTERVAL_MS),
    });
    const producer = s.liveProducer(route);
    keepLogs(s, consumer, producer);
    const mark = await stallAtPublished(s, 'Kafka', proxy, producer, consumer);
    const [p, c] = await Promise.all([producerNoticed(producer, mark, 'Kafka'), consumerNoticed(consumer, mark, 'Kafka')]);
    // the consumer's own account: the moment it saw the stall, how long the broker had been silent then, the
    // stalled connections it closed (kafkajs reconnects for its next request) and readiness down until a fetch succeeds
    const stall = await waitFor(
      'the consumer to log the stalled connection with stalledMs',
      () => stallLine(consumer.log, mark.consumerLog),
      STALL_HANG_GUARD_MS,
      250,
    );
    expect(stall.stalledMs, stall.at).toBeLessThanOrEqual(STALL_BOUND_MS);
    expect(stall.ready, stall.at).toBe(false);
    expect(stall.closedConnections, stall.at).toBeGreaterThan(0);
    expect(consumer.restarts).toBe(mark.consumerRestarts); // replaced in the process, no exit
    // the producer closes its stalled connection at its first request timeout too (30 s, kafkajs's default; before,
    // kafkajs retried on it until its retries were spent, about 285 s)
    const producerStall = await waitFor(
      'the producer to log its stalled connection closed',
      () => timedOutLine(producer.log, mark.producerLog),
      STALL_HANG_GUARD_MS,
      250,
    );
    expect(producerStall.waitedMs, producerStall.at).toBeLessThanOrEqual(PRODUCER_STALL_BOUND_MS);
    expect(producerStall.closedConnections, producerStall.at).toBeGreaterThan(0);
    // the replacement connections go through the proxy, stalled too: the reconnect path runs while nothing flows
    const connectionsAtStall = proxy.connections();
    await waitFor('a new Kafka connection through the stalled proxy', () => proxy.connections() > connectionsAtStall, 60_000, 250);
    const codes = await resumeToCompletion(s, proxy, producer, mark);
    // ready again once a fetch succeeded (the consumer's line; /readyz and settle_consumer_ready answer the same)
    const after = consumer.log.slice(consumer.log.indexOf(stall.at)).split('\n');
    expect(after.some((line) => line.includes('"msg":"Kafka reachable again:') && (JSON.parse(line) as { ready?: unknown }).ready === true)).toBe(true);
    expect(
      await s.finish(
        `${p}; ${c}; the consumer saw the stall after ${Math.round(stall.stalledMs / 100) / 10} s of silence (bound ${STALL_BOUND_MS / 1000} s), not ready until a fetch succeeded; the producer closed its stalled connection ${Math.round(producerStall.waitedMs / 100) / 10} s after its request; produce exits ${codes.join(',')}`,
      ),
    ).toMatchObject(PASS);
  });

  it('6f: MySQL stalled mid-run: the producer (claim, checkpoints) and the loader notice by a timeout, then recover', async () => {
    // the scenario holds the stall until two produce runs exited 4 (connect timeout); two more spare, and the loader may give up twice
    const s = new Scenario('6f MySQL stalled', ctx, { reruns: 4, restarts: 2 });
    await s.setup();
    const { proxy, route: viaProxy } = await mysqlProxy(s);
    const route = { ...viaProxy, MYSQL_QUERY_TIMEOUT_MS };
    const consumer = s.startConsumer(route);
    const producer = s.liveProducer(route);
    keepLogs(s, consumer, producer);
    const mark = await stallAtPublished(s, 'MySQL', proxy, producer, consumer);
    // the loader is affected once it has records to store: the producer's pages in flight are still acknowledged
    await waitFor(
      'records in Kafka the loader has not stored (it must write during the stall)',
      async () => {
        const highs = await s.highWatermarks();
        return [...highs.values()].reduce((a, b) => a + b, 0) > (await s.storedRecords());
      },
      60_000,
      250,
    );
    const [p, c] = await Promise.all([producerNoticed(producer, mark, 'MySQL'), consumerNoticed(consumer, mark, 'MySQL')]);
    // then a second round on new connections, which stall in the handshake: the producer's rerun exits 4 too
    // (connect timeout), and the loader's retry times out again
    await waitFor(
      'a producer rerun during the stall to exit 4 as well, and the loader to time out again on a new connection',
      () => producer.codes.slice(mark.producerExits).filter((code) => code === 4).length >= 2 && noticedLines(consumer.log, mark.consumerLog).length >= 2,
      STALL_HANG_GUARD_MS,
      250,
    );
    const codes = await resumeToCompletion(s, proxy, producer, mark);
    expect(await s.finish(`${p}; ${c}; produce exits ${codes.join(',')}`)).toMatchObject(PASS);
  });
});
