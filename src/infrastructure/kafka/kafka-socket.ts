import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

const KEEP_ALIVE_DELAY_MS = 60_000; // kafkajs's own

/**
 * kafkajs's default socket factory, except that a socket kafkajs ends is destroyed instead of half-closed.
 *
 * kafkajs closes a broker connection with `socket.end()` and leaves the socket's listeners attached, and the
 * same Connection object reconnects with a new socket but the same response parser. When a network path
 * stalls and comes back, the broker flushes every response it owed on the old socket (megabytes of fetch
 * data for requests that already timed out) after kafkajs has reconnected: those bytes land in the new
 * connection's parser, its framing is lost, and every later request on it times out, for ever (found by
 * fault scenario 6c: a consumer joined and healthy that never fetched again). A destroyed socket delivers
 * nothing more, and emits no late 'end' that would disconnect the new connection. kafkajs ends a socket only
 * after its requests settled (or were rejected), so nothing is lost.
 */
export const kafkaSocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const tls = ssl as unknown; // kafkajs passes KafkaConfig.ssl through: true, or tls.ConnectionOptions
  const socket: Socket = tls
    ? connectTls({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(typeof tls === 'object' ? tls : {}) }, onConnect)
    : connectTcp({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  socket.end = ((...args: unknown[]) => {
    socket.destroy();
    const callback = args.find((a): a is () => void => typeof a === 'function');
    if (callback) socket.once('close', callback);
    return socket;
  }) as Socket['end'];
  return socket;
};
