import mysql from 'mysql2/promise';
import type { Config } from '../config/config.js';
import { pendingMigrations } from '../mysql/migrator.js';
import { toSettleError } from '../mysql/mysql-errors.js';
import { mysqlSsl } from '../mysql/mysql-pool.js';
import { readServerInfo, TESTED_SERVER } from '../mysql/server-flavour.js';
import { failed, passed, warned, type CheckResult } from './health-check.js';

const NAME = 'mysql';

/**
 * Connects with a short timeout, names the server (flavour and version: only MariaDB 10.11 is tested) and compares
 * the applied migrations with the ones in migrations/. An untested server passes with a warning (exit code unchanged).
 */
export async function checkMySql(db: Config['mysql'], timeoutMs = 3_000): Promise<CheckResult> {
  let conn: mysql.Connection;
  try {
    conn = await connectForCheck(db, timeoutMs);
  } catch (error) {
    const e = toSettleError(error);
    if (e.retriable)
      return failed(NAME, `cannot connect to ${db.displayUrl}: ${e.message}`, 'start MySQL or correct MYSQL_URL (--mysql-url); retry once it is up', true);
    return failed(NAME, `${db.displayUrl}: ${e.message}`, 'check the user, password and database in MYSQL_URL (the database must exist)');
  }
  try {
    const server = await readServerInfo(conn);
    const { applied, pending } = await pendingMigrations(conn);
    if (pending.length > 0) return failed(NAME, `${pending.length} migration(s) not applied: ${pending.join(', ')}; ${server.note}`, 'run `settle db migrate`');
    const detail = `${db.displayUrl}: schema current (${applied.length} migration(s) applied); ${server.note}`;
    if (server.tested) return passed(NAME, detail);
    return warned(
      NAME,
      detail,
      server.supported
        ? `the tests run on ${TESTED_SERVER} only: check this server in a staging environment first (docs/operating.md, "Database servers")`
        : `use ${TESTED_SERVER} (tested), another MariaDB >= 10.6 or MySQL >= 8.0.19 (docs/operating.md, "Database servers")`,
    );
  } catch (error) {
    const e = toSettleError(error);
    return failed(
      NAME,
      `${db.displayUrl}: ${e.message}`,
      e.code === 'MIGRATION_MODIFIED'
        ? 'restore the migration file as it was applied; put changes in a new migration'
        : 'check the database and the grants of the MYSQL_URL user',
      e.retriable,
    );
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** One connection for a doctor check: TLS as configured, a short connect timeout. */
export async function connectForCheck(db: Config['mysql'], timeoutMs: number): Promise<mysql.Connection> {
  const ssl = mysqlSsl(db.tls);
  return mysql.createConnection({ uri: db.url.reveal(), ...(ssl ? { ssl } : {}), connectTimeout: timeoutMs, dateStrings: true, timezone: 'Z' });
}
