import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { SettleError } from '../../domain/shared/settle-error.js';

export interface HealthServerOptions {
  readonly host: string;
  readonly port: number; // 0 = any free port (tests)
  readonly registry: Registry;
  /** Alive: false once the consumer hit a fatal error (Kubernetes restarts the pod). */
  readonly isHealthy: () => boolean;
  /** Ready: joined the group, and Kafka reachable (no request timed out, no connection failed since the last fetch that succeeded). */
  readonly isReady: () => boolean;
}

export interface HealthServer {
  readonly url: string;
  /** Resolves once the next /metrics answer went out (true), or false when `signal` aborts first. */
  nextScrape(signal: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}

/** /healthz, /readyz and Prometheus /metrics on node:http; anything else is 404. */
export async function startHealthServer(o: HealthServerOptions): Promise<HealthServer> {
  const scrapeWaiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const probe = (ok: boolean) => {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ok\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') res.writeHead(405, { allow: 'GET, HEAD' }).end();
    else if (path === '/healthz') probe(o.isHealthy());
    else if (path === '/readyz') probe(o.isReady());
    else if (path === '/metrics')
      o.registry.metrics().then(
        (text) =>
          res.writeHead(200, { 'content-type': o.registry.contentType }).end(text, () => {
            for (const wake of scrapeWaiters) wake();
          }),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`),
      );
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new SettleError('METRICS_PORT_UNAVAILABLE', `cannot listen on ${o.host}:${o.port}: ${error.code ?? error.message} (use --metrics-port)`, {
          cause: error,
        }),
      ),
    );
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    nextScrape: (signal) =>
      new Promise<boolean>((resolve) => {
        if (signal.aborted) return resolve(false);
        const done = (scraped: boolean) => {
          scrapeWaiters.delete(onScrape);
          signal.removeEventListener('abort', onAbort);
          resolve(scraped);
        };
        const onScrape = () => done(true);
        const onAbort = () => done(false);
        scrapeWaiters.add(onScrape);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
