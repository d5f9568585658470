import { once } from 'node:events';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaClientConfig } from '../../../src/infrastructure/kafka/kafka-client.js';
import { KafkaConnectionStalledError, kafkaSocketFactory, trackedConnections, wholeResponses } from '../../../src/infrastructure/kafka/kafka-socket.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';

/** A Kafka-style frame: int32 size, then `size` bytes (here: int32 correlation id + filler). */
const frame = (correlationId: number, size: number, fill = 7): Buffer => {
  const b = Buffer.alloc(4 + size, fill);
  b.writeInt32BE(size, 0);
  b.writeInt32BE(correlationId, 4);
  return b;
};

/** Splits a buffer into whole frames; throws if it does not end on a frame boundary. */
const framesIn = (data: Buffer): number[] => {
  const ids: number[] = [];
  for (let at = 0; at < data.length;) {
    const size = data.readInt32BE(at);
    if (at + 4 + size > data.length) throw new Error(`partial frame at ${at}`);
    ids.push(data.readInt32BE(at + 4));
    at += 4 + size;
  }
  return ids;
};

interface TestServer {
  readonly port: number;
  readonly connections: Socket[];
  close(): Promise<void>;
}

async function startServer(onConnection: (s: Socket, index: number) => void): Promise<TestServer> {
  const connections: Socket[] = [];
  const server: Server = createServer((s) => {
    connections.push(s);
    s.on('error', () => undefined);
    onConnection(s, connections.length - 1);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: async () => {
      for (const s of connections) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const open = async (factory: ISocketFactory, port: number): Promise<Socket> => {
  const connected = Promise.withResolvers<void>();
  const socket = factory({ host: '127.0.0.1', port, ssl: undefined as never, onConnect: () => connected.resolve() });
  await connected.promise;
  return socket;
};

describe('wholeResponses: kafkajs gets whole frames only', () => {
  it('joins frames split anywhere and holds a partial one back', () => {
    const got: number[][] = [];
    const feed = wholeResponses((d) => got.push(framesIn(d)));
    const stream = Buffer.concat([frame(1, 10), frame(2, 3_000), frame(3, 0 + 4), frame(4, 100)]);
    for (const cut of [
      [0, 2],
      [2, 9],
      [9, 14],
      [14, 1_500],
      [1_500, 3_030],
      [3_030, stream.length - 5],
    ])
      feed(stream.subarray(cut[0], cut[1]));
    expect(got).toEqual([[1], [2, 3]]); // frame 4 is not complete yet
    feed(stream.subarray(stream.length - 5));
    expect(got).toEqual([[1], [2, 3], [4]]);
  });

  it('passes a stream that is not Kafka framing through instead of waiting on a negative size', () => {
    const got: Buffer[] = [];
    const feed = wholeResponses((d) => got.push(d));
    feed(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2]));
    expect(got).toHaveLength(1);
  });
});

describe('kafkaSocketFactory: what a broker connection delivers to kafkajs', () => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  it('after end(), nothing more arrives (no data, no late end): the socket is destroyed', async () => {
    const srv = await startServer((s) => s.write(Buffer.concat(Array.from({ length: 64 }, (_, i) => frame(i, 256 * 1024)))));
    close = srv.close;
    const socket = await open(kafkaSocketFactory, srv.port);
    let ended = false;
    let afterEnd = 0;
    let lateEnd = 0;
    socket.on('data', () => ended && (afterEnd += 1));
    socket.on('end', () => (lateEnd += 1));
    await once(socket, 'data'); // the backlog is arriving
    ended = true;
    socket.end(); // what kafkajs's Connection.disconnect() calls
    await once(socket, 'close');
    expect(socket.destroyed).toBe(true);
    expect(afterEnd).toBe(0);
    expect(lateEnd).toBe(0);
  });

  it('control: a half-closed socket (kafkajs default) keeps delivering the backlog', async () => {
    const srv = await startServer((s) => s.write(Buffer.alloc(16 * 1024 * 1024, 1)));
    close = srv.close;
    const socket = connect({ host: '127.0.0.1', port: srv.port });
    await once(socket, 'connect');
    await once(socket, 'data');
    socket.end();
    let afterEnd = 0;
    await new Promise<void>((resolve) => socket.on('data', () => ++afterEnd >= 5 && resolve()));
    expect(afterEnd).toBeGreaterThanOrEqual(5);
    socket.destroy();
  });

  it('end(callback) calls back once the socket closed', async () => {
    const srv = await startServer(() => undefined);
    close = srv.close;
    const socket = await open(kafkaSocketFactory, srv.port);
    await new Promise<void>((resolve) => socket.end(resolve));
    expect(socket.destroyed).toBe(true);
  });

  it('is what every kafkajs client of settle uses (consumer, producer, admin)', () => {
    const config = kafkaClientConfig({ brokers: ['127.0.0.1:9092'], clientId: 'settle', ssl: false, sasl: null }, createLogger('silent', { pretty: false }));
    expect(config.socketFactory).toBe(kafkaSocketFactory);
    expect(config).toMatchObject({ requestTimeout: 30_000, enforceRequestTimeout: true });
  });

  it("the consumer's client: its request timeout, and its connections opened (and tracked) by trackedConnections", () => {
    const tracked = trackedConnections();
    const config = kafkaClientConfig(
      { brokers: ['127.0.0.1:9092'], clientId: 'settle', ssl: false, sasl: null },
      createLogger('silent', { pretty: false }),
      '-consumer',
      { requestTimeoutMs: 5_000, socketFactory: tracked.socketFactory },
    );
    expect(config).toMatchObject({ requestTimeout: 5_000, enforceRequestTimeout: true, socketFactory: tracked.socketFactory });
  });
});

/** kafkajs's own Connection (one per broker, reused across reconnects), reached by its path inside the package. */
interface KafkajsConnection {
  connect(): Promise<unknown>;
  disconnect(): Promise<unknown>;
  isConnected(): boolean;
  send(protocol: { request: unknown; response: unknown }): Promise<unknown>;
}
const require = createRequire(import.meta.url);

/** A kafkajs Connection to the test server on `port`, through `socketFactory`, silent, with the given request timeout. */
function kafkajsConnection(port: number, socketFactory: ISocketFactory, requestTimeout: number): KafkajsConnection {
  const Connection = require('kafkajs/src/network/connection') as new (options: Record<string, unknown>) => KafkajsConnection;
  const { createLogger } = require('kafkajs/src/loggers') as { createLogger: (o: { level: number; logCreator: () => () => void }) => unknown };
  const logger = createLogger({ level: 0, logCreator: () => () => undefined });
  return new Connection({ host: '127.0.0.1', port, logger, socketFactory, requestTimeout, connectionTimeout: 1_000 });
}

// an ApiVersions request (no authentication needed) whose response payload is handed back as it came
const apiVersions = {
  request: {
    apiKey: 18,
    apiVersion: 0,
    apiName: 'ApiVersions',
    encode: () => Promise.resolve(new (require('kafkajs/src/protocol/encoder') as new () => unknown)()),
  },
  response: { decode: (p: Buffer) => Promise.resolve(p), parse: (p: Buffer) => Promise.resolve(p) },
};
const correlationOf = (request: Buffer) => request.readInt32BE(4 + 4); // size, apiKey + apiVersion, correlation id

/**
 * The kafkajs bug itself, on kafkajs's own Connection (one per broker, reused across reconnects): a response
 * half received when its request timed out and the connection was closed stays in the parser and swallows
 * the first bytes of the next socket. A stalled network path produces exactly that.
 */
describe("kafkajs's Connection reconnected after a timeout with half a response received", () => {
  const { default: defaultSocketFactory } = { default: (require('kafkajs/src/network/socketFactory') as () => ISocketFactory)() };

  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  async function reconnectAfterHalfResponse(socketFactory: ISocketFactory): Promise<'answered' | 'timed out'> {
    // first connection: half of a large response, then silence (a stalled path); later ones answer properly
    const srv = await startServer((s, index) =>
      s.on('data', (request: Buffer) => {
        const id = correlationOf(request);
        const response = frame(id, 64 * 1024);
        s.write(index === 0 ? response.subarray(0, 20 * 1024) : response);
      }),
    );
    close = srv.close;
    const conn = kafkajsConnection(srv.port, socketFactory, 300);
    await conn.connect();
    await expect(conn.send(apiVersions)).rejects.toThrow(/timed out/);
    await conn.disconnect();
    await conn.connect();
    return conn
      .send(apiVersions)
      .then(
        () => 'answered' as const,
        () => 'timed out' as const,
      )
      .finally(() => void conn.disconnect());
  }

  it('with kafkaSocketFactory the next request on the reconnected connection is answered', async () => {
    expect(await reconnectAfterHalfResponse(kafkaSocketFactory)).toBe('answered');
  });

  it("control: with kafkajs's default factory it times out (the parser lost the framing)", async () => {
    expect(await reconnectAfterHalfResponse(defaultSocketFactory)).toBe('timed out');
  });
});

describe('trackedConnections: the connections a stalled broker left silent are closed, so kafkajs opens new ones', () => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  it('closes, with an error, only the sockets to that broker that were open at the moment and heard nothing since; failure listeners hear it', async () => {
    const srv = await startServer(() => undefined);
    close = srv.close;
    const clock = { now: 1_000 };
    const tracked = trackedConnections(kafkaSocketFactory, () => clock.now);
    const failures: Array<{ broker: string; error: Error }> = [];
    tracked.onFailure((broker, error) => failures.push({ broker, error }));
    const silent = await open(tracked.socketFactory, srv.port);
    const talking = await open(tracked.socketFactory, srv.port);
    silent.on('data', () => undefined);
    talking.on('data', () => undefined);
    clock.now = 2_000;
    srv.connections[1]?.write(frame(1, 8));
    await once(talking, 'data');
    clock.now = 3_000;
    const newer = await open(tracked.socketFactory, srv.port); // opened after the moment: not judged by it
    const broker = `127.0.0.1:${srv.port}`;
    const errored = once(silent, 'error') as Promise<[Error]>;
    expect(tracked.closeSilent('127.0.0.1:1', 1_500, 'stalled')).toBe(0); // another broker
    expect(tracked.closeSilent(broker, 1_500, 'no answer in 30000 ms')).toBe(1);
    const [error] = await errored;
    expect(error).toBeInstanceOf(KafkaConnectionStalledError);
    expect(error).toMatchObject({ code: 'KAFKA_CONNECTION_STALLED', message: 'no answer in 30000 ms' });
    expect(silent.destroyed).toBe(true);
    expect(talking.destroyed).toBe(false);
    expect(newer.destroyed).toBe(false);
    expect(failures).toEqual([{ broker, error }]);
    expect(tracked.closeSilent(broker, 1_500, 'again')).toBe(0); // closed ones are forgotten
    talking.destroy();
    newer.destroy();
  });

  /** kafkajs's own Connection on a broker that never answers its first connection (a stalled path) and answers later ones. */
  async function stalledFirstConnection(): Promise<{ srv: TestServer }> {
    const srv = await startServer((s, index) => s.on('data', (request: Buffer) => index > 0 && s.write(frame(correlationOf(request), 16))));
    close = srv.close;
    return { srv };
  }

  it('control: kafkajs sends the retry of a timed-out request down the same stalled socket (no new connection), and it times out again', async () => {
    const { srv } = await stalledFirstConnection();
    const conn = kafkajsConnection(srv.port, kafkaSocketFactory, 200);
    await conn.connect();
    await expect(conn.send(apiVersions)).rejects.toThrow(/timed out/);
    expect(conn.isConnected()).toBe(true);
    await expect(conn.send(apiVersions)).rejects.toThrow(/timed out/);
    expect(srv.connections).toHaveLength(1);
    await conn.disconnect();
  });

  it('closed by closeSilent after the timeout, the connection reconnects on a new socket and the retry is answered', async () => {
    const { srv } = await stalledFirstConnection();
    const tracked = trackedConnections();
    const conn = kafkajsConnection(srv.port, tracked.socketFactory, 200);
    await conn.connect();
    const sentAt = Date.now();
    await expect(conn.send(apiVersions)).rejects.toThrow(/timed out/);
    expect(tracked.closeSilent(`127.0.0.1:${srv.port}`, sentAt, 'stalled')).toBe(1);
    for (let i = 0; i < 100 && conn.isConnected(); i++) await new Promise((r) => setTimeout(r, 5)); // kafkajs's onError disconnects
    expect(conn.isConnected()).toBe(false);
    await conn.connect(); // what kafkajs's connection pool does for the next request
    await expect(conn.send(apiVersions)).resolves.toBeInstanceOf(Buffer);
    expect(srv.connections).toHaveLength(2);
    await conn.disconnect();
  });
});
