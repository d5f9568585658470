import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

const METADATA = 3;
export const PRODUCE = 0;

/**
 * A network path to the local stack's broker that a test can make unreachable, as a broker stopping looks to a
 * client, without touching the broker other tests share. A TCP proxy that reads the Kafka protocol just enough:
 * it frames requests and responses (int32 size), remembers which request each correlation id was, and rewrites the
 * broker's port in Metadata responses to its own, so every connection kafkajs opens after bootstrap (to the
 * address the broker advertises) comes through here too. Requests the broker has not answered yet are counted, so
 * a test can wait for the state "every produce request was answered" before cutting the path.
 */
export interface KafkaPath {
  /** KAFKA_BROKERS for a client that should go through the path. */
  readonly brokers: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Requests forwarded to the broker whose response has not been handed to the client yet (of one API key, or all). */
  outstanding(apiKey?: number): number;
  /**
   * The broker is gone: no new connection is accepted (ECONNREFUSED), nothing more reaches the broker, and every open
   * connection is ended once what the broker already answered was handed to the client.
   */
  unreachable(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  readonly apiKey: number;
  readonly apiVersion: number;
}

export async function startKafkaPath(broker: { host: string; port: number }): Promise<KafkaPath> {
  const clients = new Set<Socket>();
  const upstreams = new Set<Socket>();
  const pending = new Map<string, Pending>(); // `${connection}:${correlationId}`
  let accepted = 0;
  let cut = false;
  let port = 0;

  // complete frames out of a stream of chunks
  const framer = (onFrame: (frame: Buffer) => void) => {
    let buffered: Buffer = Buffer.alloc(0);
    return (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const size = buffered.readInt32BE(0);
        onFrame(Buffer.from(buffered.subarray(0, 4 + size)));
        buffered = buffered.subarray(4 + size);
      }
    };
  };

  // Metadata (non-flexible versions 0-8): [throttle_time_ms (v3+)] [brokers: node_id host port rack (v1+)] …
  const rewriteMetadata = (frame: Buffer, version: number) => {
    let at = 8 + (version >= 3 ? 4 : 0);
    const brokers = frame.readInt32BE(at);
    at += 4;
    for (let i = 0; i < brokers; i++) {
      at += 4; // node_id
      const hostLength = frame.readInt16BE(at);
      const host = frame.toString('utf8', at + 2, at + 2 + hostLength);
      at += 2 + hostLength;
      if (host === broker.host && frame.readInt32BE(at) === broker.port) frame.writeInt32BE(port, at);
      at += 4;
      if (version >= 1) at += 2 + Math.max(0, frame.readInt16BE(at));
    }
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    const id = accepted;
    const upstream = connect({ host: broker.host, port: broker.port });
    clients.add(client);
    upstreams.add(upstream);
    const close = () => {
      for (const key of pending.keys()) if (key.startsWith(`${id}:`)) pending.delete(key);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', () => {
      clients.delete(client);
      close();
    });
    upstream.on('error', close).on('close', () => upstreams.delete(upstream));
    client.on(
      'data',
      framer((frame) => {
        if (cut) return;
        pending.set(`${id}:${frame.readInt32BE(8)}`, { apiKey: frame.readInt16BE(4), apiVersion: frame.readInt16BE(6) });
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      framer((frame) => {
        const key = `${id}:${frame.readInt32BE(4)}`;
        const request = pending.get(key);
        if (request?.apiKey === METADATA && request.apiVersion <= 8) rewriteMetadata(frame, request.apiVersion);
        // counted as answered once the bytes are with the kernel, on their way to the client
        client.write(frame, () => pending.delete(key));
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;

  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  return {
    brokers: `127.0.0.1:${port}`,
    connections: () => accepted,
    outstanding: (apiKey) => [...pending.values()].filter((p) => apiKey === undefined || p.apiKey === apiKey).length,
    async unreachable() {
      cut = true;
      void stopListening(); // no new connection from now on (the callback waits for the open ones to go)
      for (const s of [...upstreams]) s.destroy();
      for (const s of [...clients]) s.end(); // what was written is delivered first, then FIN
      await new Promise((r) => setImmediate(r));
    },
    async close() {
      cut = true;
      const closed = stopListening();
      for (const s of [...upstreams, ...clients]) s.destroy();
      await closed;
    },
  };
}
