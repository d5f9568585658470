import { SettleError } from '../../domain/shared/settle-error.js';
import { MYSQL_ACCESS_ERRORS, MYSQL_TLS_ERRORS, MYSQL_TRANSIENT_ERRORS } from '../../domain/shared/error-codes.js';

/** Driver codes passed through by name as MYSQL_<driver code> (each a code of its own in error-codes.ts): is `code` one of `list`? */
const oneOf = <const T extends string>(list: readonly T[], code: string): code is T => (list as readonly string[]).includes(code);

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
      cause: error,
    });
  // a connection mysql2 already closed (lost, or abandoned after a timeout): "Can't add new command when connection is in closed state"
  if (code === 'UNKNOWN' && e.fatal === true) return new SettleError('MYSQL_CONNECTION_CLOSED', `MySQL: ${e.message ?? 'connection closed'}`, { cause: error });
  const details = { mysqlCode: code };
  if (oneOf(MYSQL_TRANSIENT_ERRORS, code))
    return new SettleError(`MYSQL_${code}` as const, `MySQL: ${e.sqlMessage ?? e.message ?? code}`, { cause: error, details });
  if (oneOf(MYSQL_ACCESS_ERRORS, code))
    return new SettleError(`MYSQL_${code}` as const, `MySQL: ${e.sqlMessage ?? code} (check MYSQL_URL)`, { cause: error, details });
  if (oneOf(MYSQL_TLS_ERRORS, code))
    return new SettleError(`MYSQL_${code}` as const, `MySQL TLS: ${e.message ?? code} (check MYSQL_SSL and MYSQL_SSL_CA against the server's TLS setup)`, {
      cause: error,
      details,
    });
  if (code === 'ER_NO_SUCH_TABLE')
    return new SettleError('MYSQL_SCHEMA_MISSING', `MySQL: ${e.sqlMessage ?? code} (run \`settle db migrate\`)`, { cause: error, details });
  // any other code (an open set): one code, the server's in details and in the message
  return new SettleError('MYSQL_QUERY_FAILED', `MySQL ${code}: ${e.sqlMessage ?? e.message ?? code}`, { cause: error, details });
}

export const isTransientMySqlError = (error: unknown): boolean => toSettleError(error).retriable;

/** For `.catch(translateMySqlError)`. */
export function translateMySqlError(error: unknown): never {
  throw toSettleError(error);
}
