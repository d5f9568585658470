import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

const KEEP_ALIVE_DELAY_MS = 60_000; // kafkajs's own
const SIZE_BYTES = 4; // every Kafka response starts with its size (int32, big-endian)

type DataListener = (data: Buffer) => void;

/**
 * kafkajs's default socket factory, with two repairs of how kafkajs reuses a connection after closing it.
 *
 * kafkajs keeps one response parser per broker connection and reuses it when it reconnects, without resetting
 * it, and it closes a socket with `socket.end()`, leaving the socket's listeners attached. When a network
 * path stalls, requests time out and kafkajs reconnects; whatever the parser held of a half-received response
 * (a fetch response is megabytes) is then completed with the first bytes of the new socket, the framing is
 * lost, and every later request on that connection times out, for ever: a consumer that is joined and
 * "healthy" but never fetches again (found by fault scenario 6c). So:
 * - data reaches kafkajs in whole responses only: the parser never holds part of one when a socket goes;
 * - a socket kafkajs ends is destroyed: the bytes the broker still flushes on it, and its late 'end' (which
 *   kafkajs would take for the end of the new socket), never arrive. kafkajs ends a socket only after its
 *   requests settled or were rejected, so nothing is lost.
 */
export const kafkaSocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const tls = ssl as unknown; // kafkajs passes KafkaConfig.ssl through: true, or tls.ConnectionOptions
  const socket: Socket = tls
    ? connectTls({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(typeof tls === 'object' ? tls : {}) }, onConnect)
    : connectTcp({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  const on = socket.on.bind(socket) as (event: string | symbol, listener: (...args: unknown[]) => void) => Socket;
  socket.on = ((event: string | symbol, listener: (...args: unknown[]) => void) =>
    on(event, event === 'data' ? (wholeResponses(listener as DataListener) as (...args: unknown[]) => void) : listener)) as Socket['on'];
  socket.end = ((...args: unknown[]) => {
    socket.destroy();
    const callback = args.find((a): a is () => void => typeof a === 'function');
    if (callback) socket.once('close', callback);
    return socket;
  }) as Socket['end'];
  return socket;
};

/** The connections of one kafkajs client (all the clusters of one `Kafka`), as the consumer's stall detection needs them. */
export interface KafkaConnections {
  /** What kafkajs opens its broker connections with (KafkaConfig.socketFactory). */
  readonly socketFactory: ISocketFactory;
  /**
   * Destroys, with an error, every open connection to `broker` (host:port as kafkajs names it) that was open at
   * `since` and has received nothing after it; returns how many. kafkajs takes the error for a failed connection:
   * it rejects the requests in flight on it (retriable) and opens a new connection for the next request.
   */
  closeSilent(broker: string, since: number, reason: string): number;
  /** `listener` hears every connection that fails (refused, reset, timed out in the handshake, closed by closeSilent). */
  onFailure(listener: (broker: string, error: Error) => void): void;
}

interface Tracked {
  readonly broker: string;
  readonly openedAt: number;
  lastDataAt: number;
}

/**
 * Sockets from `dial` (settle's socket factory unless a test routes them elsewhere), remembered while open with
 * when each last received a byte: kafkajs never closes a connection whose request timed out (it sends the retry on
 * the same socket), so the consumer closes a stalled one itself through closeSilent.
 */
export function trackedConnections(dial: ISocketFactory = kafkaSocketFactory, now: () => number = Date.now): KafkaConnections {
  const open = new Map<Socket, Tracked>();
  const listeners: Array<(broker: string, error: Error) => void> = [];
  return {
    socketFactory: (args) => {
      const socket = dial(args);
      const tracked: Tracked = { broker: `${args.host}:${args.port}`, openedAt: now(), lastDataAt: -Infinity };
      open.set(socket, tracked);
      // raw chunks (not kafkajs's whole responses): any byte shows the path is alive. Attached in the same tick as
      // kafkajs's own listener, so no data can flow before kafkajs listens.
      socket.prependListener('data', () => (tracked.lastDataAt = now()));
      socket.prependListener('error', (error: Error) => {
        for (const listener of listeners) listener(tracked.broker, error);
      });
      socket.once('close', () => open.delete(socket));
      return socket;
    },
    closeSilent: (broker, since, reason) => {
      let closed = 0;
      for (const [socket, t] of open) {
        if (t.broker !== broker || t.openedAt > since || t.lastDataAt > since) continue;
        open.delete(socket);
        socket.destroy(new KafkaConnectionStalledError(reason));
        closed += 1;
      }
      return closed;
    },
    onFailure: (listener) => void listeners.push(listener),
  };
}

/** Why settle closed a broker connection (kafkajs reports it as "Connection error: <message>"). */
export class KafkaConnectionStalledError extends Error {
  override readonly name = 'KafkaConnectionStalledError';
  readonly code = 'KAFKA_CONNECTION_STALLED';
}

/**
 * Calls `listener` with complete size-prefixed frames only (one or more per call), keeping a partial one until
 * its last byte came. Chunks are joined only once a frame is complete, so a large response is copied once.
 */
export function wholeResponses(listener: DataListener): DataListener {
  let chunks: Buffer[] = [];
  let buffered = 0;
  let needed = SIZE_BYTES; // bytes the buffer must hold before the next frame can be complete
  return (chunk) => {
    chunks.push(chunk);
    buffered += chunk.length;
    if (buffered < needed) return;
    const data = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, buffered);
    let end = 0; // end of the complete frames
    for (;;) {
      if (data.length - end < SIZE_BYTES) {
        needed = SIZE_BYTES;
        break;
      }
      const size = data.readInt32BE(end);
      if (size < 0) {
        // not a Kafka frame: hand everything over and let kafkajs fail on it, rather than guess
        end = data.length;
        needed = SIZE_BYTES;
        break;
      }
      const frame = SIZE_BYTES + size;
      if (data.length - end < frame) {
        needed = frame;
        break;
      }
      end += frame;
    }
    const rest = data.subarray(end);
    chunks = rest.length > 0 ? [rest] : [];
    buffered = rest.length;
    if (end > 0) listener(data.subarray(0, end));
  };
}
