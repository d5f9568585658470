import { SettleError } from '../../domain/shared/settle-error.js';

/** MySQL/MariaDB error codes after which the same statement can succeed if tried again. */
const TRANSIENT = new Set([
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);

/** TLS set up but refused: no TLS on the server (mysql2), or a certificate Node could not verify. */
const TLS_CONFIG = new Set([
  'HANDSHAKE_NO_SSL_SUPPORT',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
  fatal?: boolean;
}

/** Translate a mysql2 error into ours (never leaks the URL or password: mysql2 messages do not carry them). */
export function toSettleError(error: unknown): SettleError {
  if (error instanceof SettleError) return error;
  const e = (error ?? {}) as DriverError;
  const code = e.code ?? 'UNKNOWN';
  // mysql2's per-query timeout, and what query-timeout.ts hands the commands of a connection it abandoned
  if (code === 'PROTOCOL_SEQUENCE_TIMEOUT')
    return new SettleError('MYSQL_QUERY_TIMEOUT', `MySQL: no answer within the query timeout (MYSQL_QUERY_TIMEOUT_MS): ${e.message ?? code}`, {
      category: 'transient',
      cause: error,
    });
  // a connection mysql2 already closed (lost, or abandoned after a timeout): "Can't add new command when connection is in closed state"
  if (code === 'UNKNOWN' && e.fatal === true)
    return new SettleError('MYSQL_CONNECTION_CLOSED', `MySQL: ${e.message ?? 'connection closed'}`, { category: 'transient', cause: error });
  if (TRANSIENT.has(code)) return new SettleError(`MYSQL_${code}`, `MySQL: ${e.sqlMessage ?? e.message ?? code}`, { category: 'transient', cause: error });
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_BAD_DB_ERROR')
    return new SettleError(`MYSQL_${code}`, `MySQL: ${e.sqlMessage ?? code} (check MYSQL_URL)`, { category: 'usage', cause: error });
  if (TLS_CONFIG.has(code))
    return new SettleError(`MYSQL_${code}`, `MySQL TLS: ${e.message ?? code} (check MYSQL_SSL and MYSQL_SSL_CA against the server's TLS setup)`, {
      category: 'usage',
      cause: error,
    });
  if (code === 'ER_NO_SUCH_TABLE')
    return new SettleError('MYSQL_SCHEMA_MISSING', `MySQL: ${e.sqlMessage ?? code} (run \`settle db migrate\`)`, { category: 'usage', cause: error });
  return new SettleError(`MYSQL_${code}`, `MySQL: ${e.sqlMessage ?? e.message ?? code}`, { category: 'internal', cause: error });
}

export const isTransientMySqlError = (error: unknown): boolean => toSettleError(error).retriable;

/** For `.catch(translateMySqlError)`. */
export function translateMySqlError(error: unknown): never {
  throw toSettleError(error);
}
