import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaClientConfig } from '../../../src/infrastructure/kafka/kafka-client.js';
import { kafkaSocketFactory } from '../../../src/infrastructure/kafka/kafka-socket.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';

/**
 * A "broker" that sends a large backlog at once on every connection (the responses a broker flushes when a
 * stalled path comes back): bytes already on their way still arrive after the client half-closes. kafkajs
 * closes a connection with socket.end() and reconnects the same parser on a new socket, so whatever the old
 * socket still delivers corrupts the new connection.
 */
async function chattyServer(): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.write(Buffer.alloc(16 * 1024 * 1024, 1));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('kafkaSocketFactory: a socket kafkajs ends delivers nothing more', () => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  it('after end(), no data and no late end event reach kafkajs: the socket is destroyed', async () => {
    const srv = await chattyServer();
    close = srv.close;
    const connected = Promise.withResolvers<void>();
    const socket = kafkaSocketFactory({ host: '127.0.0.1', port: srv.port, ssl: undefined as never, onConnect: () => connected.resolve() });
    let ended = false;
    let afterEnd = 0;
    let lateEnd = 0;
    socket.on('data', () => ended && (afterEnd += 1));
    socket.on('end', () => (lateEnd += 1));
    await connected.promise;
    await once(socket, 'data'); // the server is sending
    ended = true;
    socket.end(); // what kafkajs's Connection.disconnect() calls
    await once(socket, 'close');
    expect(socket.destroyed).toBe(true);
    expect(afterEnd).toBe(0);
    expect(lateEnd).toBe(0);
  });

  it('control: a half-closed socket (kafkajs default) keeps delivering what the server still sends', async () => {
    const srv = await chattyServer();
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
    const srv = await chattyServer();
    close = srv.close;
    const connected = Promise.withResolvers<void>();
    const socket = kafkaSocketFactory({ host: '127.0.0.1', port: srv.port, ssl: undefined as never, onConnect: () => connected.resolve() });
    await connected.promise;
    await new Promise<void>((resolve) => socket.end(resolve));
    expect(socket.destroyed).toBe(true);
  });

  it('is what every kafkajs client of settle uses (consumer, producer thread, admin)', () => {
    const config = kafkaClientConfig({ brokers: ['127.0.0.1:9092'], clientId: 'settle', ssl: false, sasl: null }, createLogger('silent', { pretty: false }));
    expect(config.socketFactory).toBe(kafkaSocketFactory);
  });
});
