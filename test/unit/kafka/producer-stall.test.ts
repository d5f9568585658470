import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafka, createSettlementProducer } from '../../../src/infrastructure/kafka/kafka-client.js';
import { trackedConnections } from '../../../src/infrastructure/kafka/kafka-socket.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';

/** A "broker" that accepts connections and never answers: a stalled or half-open path, as kafkajs sees it. */
async function silentBroker(): Promise<{ port: number; connections: Socket[]; closed: Set<Socket>; close(): Promise<void> }> {
  const connections: Socket[] = [];
  /** Connections the client closed. */
  const closed = new Set<Socket>();
  const server = createServer((s) => {
    connections.push(s);
    s.on('error', () => undefined);
    s.on('close', () => closed.add(s));
    s.resume(); // reads (and drops) the requests, so the client's close is seen
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    closed,
    close: async () => {
      for (const s of connections) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const waitUntil = async (what: string, check: () => boolean): Promise<void> => {
  for (let i = 0; i < 1_000 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!check()) throw new Error(`no ${what} after 50 s`);
};

describe('the settlement producer on a stalled broker connection', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function producerOn(port: number) {
    const lines: string[] = [];
    const logger = createLogger('warn', {
      pretty: false,
      destination: new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }),
    });
    const connections = trackedConnections();
    const kafka = createKafka({ brokers: [`127.0.0.1:${port}`], clientId: 'stall-test', ssl: false, sasl: null }, logger, '-producer', {
      requestTimeoutMs: 1_000,
      socketFactory: connections.socketFactory,
    });
    const producer = createSettlementProducer(kafka, { connections, logger });
    const connecting = producer.connect().catch(() => undefined);
    // kafkajs would go on retrying the connect for minutes: the test stops it and does not wait for the retries
    cleanups.push(async () => {
      await Promise.race([producer.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000))]);
      void connecting;
    });
    return lines;
  }

  // kafkajs times the connect's ApiVersions out after its connection timeout (10 s), whatever the request timeout
  // says. Without closeStalledOnTimeout kafkajs opened no second connection and sent nothing more in 50 s (tried).
  it('closes the connection whose request timed out, logs it, and kafkajs retries on a new connection', { timeout: 60_000 }, async () => {
    const broker = await silentBroker();
    cleanups.push(() => broker.close());
    const lines = await producerOn(broker.port);
    await waitUntil('a second connection', () => broker.connections.length >= 2);
    // the first connection was closed by settle (kafkajs never closes one whose request timed out)
    await waitUntil('the first connection closed', () => broker.connections[0] !== undefined && broker.closed.has(broker.connections[0]));
    const timedOut = lines
      .map((l) => JSON.parse(l) as { msg: string; client?: string; closedConnections?: number; api?: string })
      .find((l) => l.msg.startsWith('Kafka request timed out'));
    expect(timedOut).toMatchObject({ client: 'producer', closedConnections: 1, api: 'ApiVersions' });
  });
});
