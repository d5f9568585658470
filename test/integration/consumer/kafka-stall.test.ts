import { PassThrough } from 'node:stream';
import type { ISocketFactory } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { kafkaSocketFactory } from '../../../src/infrastructure/kafka/kafka-socket.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { runConsumer } from '../../../src/presentation/consumer/consumer-runner.js';
import { startTcpProxy, type TcpProxy } from '../../faults/support/tcp-proxy.js';
import { ConsumerFixture, waitFor } from './consumer-fixture.js';

/** The consumer's request timeout here (the smallest allowed, to keep the test short) and its heartbeat (the default). */
const REQUEST_TIMEOUT_MS = 5_000;
const HEARTBEAT_INTERVAL_MS = 3_000;
/**
 * How long the broker may have been silent when the consumer says its connection stalled: one request timeout
 * after the first request that got no answer, which went out at most two heartbeat intervals after the last
 * answer (heartbeats, commits and fetches keep one in flight), plus slack for kafkajs's 100 ms timeout check and
 * a busy event loop.
 */
const STALL_BOUND_MS = REQUEST_TIMEOUT_MS + 2 * HEARTBEAT_INTERVAL_MS + 5_000;

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

// The stack's broker advertises itself at its own address, so a proxy given as KAFKA_BROKERS would carry only the
// bootstrap: here every connection the consumer opens is dialled to the proxy instead (runConsumer's `dial`).
describe('consume: a stalled Kafka connection (nothing forwarded, nothing closed) is replaced, and /readyz says so meanwhile', () => {
  let fx: ConsumerFixture;
  let proxy: TcpProxy;
  const all = Array.from({ length: 600 }, (_, i) => syntheticSettlement(i, 'st'));
  beforeAll(async () => {
    fx = await ConsumerFixture.create('stall', 3);
    const [host = '127.0.0.1', port = '9092'] = (fx.env.KAFKA_BROKERS ?? '').split(',')[0]?.split(':') ?? [];
    proxy = await startTcpProxy({ host, port: Number(port) });
  });
  afterAll(async () => {
    await proxy?.close();
    await fx?.close();
  });

  it('logs the stall with how long the broker was silent, closes the stalled connections, is not ready until a fetch succeeds again, and loses nothing', async () => {
    const out = new PassThrough();
    const lines: LogLine[] = [];
    let partial = '';
    out.on('data', (d: Buffer) => {
      const text = partial + d.toString();
      const complete = text.split('\n');
      partial = complete.pop() ?? '';
      for (const l of complete) if (l.trim()) lines.push(JSON.parse(l) as LogLine);
    });
    const logger = createLogger('info', { pretty: false, destination: out });
    const config = loadConfig(
      { ...fx.env, CONSUMER_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), CONSUMER_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_INTERVAL_MS) },
      ['kafka', 'registry', 'mysql'],
    );
    const dial: ISocketFactory = (args) => kafkaSocketFactory({ ...args, host: '127.0.0.1', port: proxy.port });
    const stop = new AbortController();
    const listening = Promise.withResolvers<string>();
    const run = runConsumer({ config, logger, signal: stop.signal, untilIdle: false, dial, onListening: (url) => listening.resolve(url) });
    run.catch((error: unknown) => listening.reject(error));
    const url = await listening.promise;
    const status = async (path: string) => (await fetch(`${url}${path}`)).status;
    const storedAll = async () => {
      const [highs, stored] = await Promise.all([fx.highWatermarks(), fx.storedOffsets()]);
      return [...highs].every(([p, high]) => stored.get(p) === high);
    };
    try {
      await fx.produce(all.slice(0, 300));
      await waitFor('the first 300 records stored', storedAll, 60_000, 200);
      await waitFor('/readyz 200', async () => (await status('/readyz')) === 200, 30_000, 100);
      expect(proxy.connections()).toBeGreaterThan(0); // the consumer's connections go through the proxy

      const from = lines.length;
      const connectionsBefore = proxy.connections();
      proxy.stall();
      await fx.produce(all.slice(300)); // straight to the broker: there is something to fetch once the path is back

      await waitFor('/readyz 503 while the path is stalled', async () => (await status('/readyz')) === 503, 60_000, 100);
      const stalled = await waitFor(
        'the consumer to log the stalled connection',
        async () => lines.slice(from).find((l) => l.msg.startsWith('Kafka request timed out:')),
        10_000,
        100,
      );
      expect(stalled).toMatchObject({ level: 40, ready: false });
      expect(stalled.closedConnections).toBeGreaterThan(0);
      expect(stalled.stalledMs).toBeGreaterThan(0);
      expect(stalled.stalledMs).toBeLessThanOrEqual(STALL_BOUND_MS);
      // kafkajs opened a new connection through the (still stalled) proxy: the stalled one was replaced
      await waitFor('a replacement connection', async () => proxy.connections() > connectionsBefore, 30_000, 100);
      expect(await status('/readyz')).toBe(503); // the new connection is stalled too: nothing fetched yet
      expect(await status('/healthz')).toBe(200); // a stall is not fatal: the process stays

      proxy.resume();
      await waitFor('/readyz 200 once a fetch succeeds again', async () => (await status('/readyz')) === 200, 60_000, 100);
      const back = lines.slice(from).find((l) => l.msg.startsWith('Kafka reachable again'));
      expect(back).toMatchObject({ level: 30 });
      expect(back?.downMs).toBeGreaterThan(0);
      await waitFor('all 600 records stored', storedAll, 90_000, 200);
      expect(await fx.count()).toBe(600);
    } finally {
      stop.abort();
      await run.catch(() => undefined);
    }
    const summary = await run;
    expect(summary.stoppedBy).toBe('signal');
  }, 300_000);
});
