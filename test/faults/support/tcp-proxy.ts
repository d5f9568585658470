import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy between `settle` and one dependency (Kafka or MySQL) that misbehaves on command:
 * - `latency(ms)`: every chunk, both ways, is delivered ms later (order kept);
 * - `cut()`: every open connection is destroyed at once (new ones are accepted);
 * - `stall()`: nothing is forwarded any more and nothing is closed: open and new connections hang, the way a
 *   dead network path or a frozen server looks to a client; `resume()` lets the held bytes through.
 */
export interface TcpProxy {
  readonly port: number;
  readonly address: string;
  /** Connections accepted so far (the suite checks that traffic really went through the proxy). */
  connections(): number;
  latency(ms: number): void;
  cut(): number;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let accepted = 0;
  let delayMs = 0;
  let stalled = false;
  const held: Array<() => void> = [];

  // one ordered queue per direction: a chunk is written after the previous one, at least delayMs after it arrived
  const pipe = (from: Socket, to: Socket) => {
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      const arrived = Date.now();
      chain = chain.then(async () => {
        while (stalled) await new Promise<void>((r) => held.push(r));
        const wait = arrived + delayMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.on('end', () => void chain.then(() => to.end()));
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    const upstream = connect({ host: target.host, port: target.port });
    const pair = { client, upstream };
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const release = () => {
    for (const r of held.splice(0)) r();
  };
  return {
    port,
    address: `127.0.0.1:${port}`,
    connections: () => accepted,
    latency(ms) {
      delayMs = ms;
    },
    cut() {
      const n = pairs.size;
      for (const p of [...pairs]) {
        p.client.resetAndDestroy();
        p.upstream.destroy();
      }
      return n;
    },
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      release();
    },
    close: () =>
      new Promise<void>((resolve) => {
        stalled = false;
        release();
        for (const p of [...pairs]) {
          p.client.destroy();
          p.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
