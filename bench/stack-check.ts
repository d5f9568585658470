import { connect } from 'node:net';

/** A service the bench needs, by where it is expected. */
export interface Needed {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** Whether something accepts TCP connections at host:port within `timeoutMs`. */
function listening({ host, port }: Needed, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** host:port of a broker list's first entry, a URL's authority (default ports by scheme). */
export const brokerAddress = (brokers: string): { host: string; port: number } => {
  const [host = '127.0.0.1', port = '9092'] = (brokers.split(',')[0] ?? '').trim().split(':');
  return { host, port: Number(port) };
};
export const urlAddress = (url: string): { host: string; port: number } => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : u.protocol === 'mysql:' ? 3306 : 80)) };
};

/**
 * One line naming what is not reachable and how to start it, or null when everything answers. The bench asks
 * before it starts anything, instead of a minute of Kafka client retries ending in a stack trace.
 */
export async function unreachable(needed: readonly Needed[], timeoutMs = 2_000): Promise<string | null> {
  const down = (await Promise.all(needed.map(async (n) => ((await listening(n, timeoutMs)) ? null : n)))).filter((n): n is Needed => n !== null);
  if (down.length === 0) return null;
  const what = down.map((n) => `${n.name} (${n.host}:${n.port})`).join(', ');
  return `not reachable: ${what}. Start the local stack with \`bash scripts/stack.sh up kafka registry mariadb\`, or point KAFKA_BROKERS, SCHEMA_REGISTRY_URL and MYSQL_URL at running servers`;
}
