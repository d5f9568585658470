import type { Connection, Pool, PoolConnection } from 'mysql2/promise';
import { SettleError } from '../../domain/shared/settle-error.js';

/** Calls that wait for the server's answer; each gets its own deadline. */
const ANSWERED = new Set<PropertyKey>(['query', 'execute', 'beginTransaction', 'commit', 'rollback', 'ping']);

/** What mysql2 hands every command still on an abandoned connection (mysql-errors.ts translates it as transient). */
const ABANDONED_CODE = 'PROTOCOL_SEQUENCE_TIMEOUT';

interface Guarded {
  abandoned: boolean;
}

/**
 * mysql2 waits for an answer forever: a network path that stalls without closing (or a frozen server) would
 * hang the caller, with the loader's transaction or the producer's claim open. On the returned connection
 * every statement, from the moment it is asked (time queued behind another one included), gets `timeoutMs`
 * to be answered; past it the caller gets MYSQL_QUERY_TIMEOUT (transient: the retry paths retry it, a
 * producer exits 4 and a rerun resumes) and the connection's socket is destroyed — not mysql2's polite
 * destroy(), which waits for a FIN a stalled peer never sends — so every other command on it fails too, a
 * pool drops it, and the server, once it sees the close, rolls back the open transaction and frees the
 * connection's GET_LOCK. Later calls on it fail at once, transient. The timeout must exceed the longest
 * legitimate wait of one statement: a row-lock wait (innodb_lock_wait_timeout).
 */
export function withQueryTimeout<C extends Connection | PoolConnection>(conn: C, timeoutMs: number): C {
  const state: Guarded = { abandoned: false };
  return new Proxy(conn, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (!ANSWERED.has(prop)) return fn.bind(target);
      return (...args: unknown[]) => answered(target, state, timeoutMs, String(prop), () => fn.apply(target, args) as Promise<unknown>);
    },
  });
}

/** One statement on a connection taken from `pool` under the same deadline (instead of pool.query, which cannot be bounded). */
export async function queryPool<T>(pool: Pool, timeoutMs: number, sql: string, values?: unknown[]): Promise<T> {
  const conn = withQueryTimeout(await pool.getConnection(), timeoutMs);
  try {
    const [rows] = values === undefined ? await conn.query(sql) : await conn.query(sql, values);
    return rows as T;
  } finally {
    conn.release(); // a no-op for a connection the deadline abandoned (the pool dropped it)
  }
}

async function answered<T>(conn: Connection | PoolConnection, state: Guarded, timeoutMs: number, what: string, call: () => Promise<T>): Promise<T> {
  if (state.abandoned)
    throw new SettleError(
      'MYSQL_QUERY_TIMEOUT',
      `MySQL: this connection was closed after a statement got no answer within ${timeoutMs} ms (MYSQL_QUERY_TIMEOUT_MS)`,
    );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      state.abandoned = true;
      abandon(conn, timeoutMs);
      reject(new SettleError('MYSQL_QUERY_TIMEOUT', `MySQL: no answer to ${what} within ${timeoutMs} ms (MYSQL_QUERY_TIMEOUT_MS); connection closed`));
    }, timeoutMs);
  });
  const running = call();
  running.catch(() => undefined); // after the deadline, its own failure (the destroyed socket) is nobody's business
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Destroys the socket under mysql2 (its error reaches every command still on the connection), else its destroy(). */
function abandon(conn: Connection | PoolConnection, timeoutMs: number): void {
  // the promise wrapper's `connection` is mysql2's core connection; its `stream` is the socket (TLS or not)
  const socket = (conn as unknown as { connection?: { stream?: { destroy?: (error?: Error) => void } } }).connection?.stream;
  const error = Object.assign(new Error(`Query inactivity timeout: no answer within ${timeoutMs} ms`), { code: ABANDONED_CODE });
  if (typeof socket?.destroy === 'function') socket.destroy(error);
  else conn.destroy();
}
