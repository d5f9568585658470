import type { SettlementWindow } from '../domain/settlement/settlement-window.js';
import type { Config } from '../infrastructure/config/config.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { migrate, pendingMigrations, type MigrationStatus } from '../infrastructure/mysql/migrator.js';
import { translateMySqlError } from '../infrastructure/mysql/mysql-errors.js';
import { MySqlJobAdmin } from '../infrastructure/mysql/mysql-job-admin.js';
import { createMySqlConnection, createMySqlPool } from '../infrastructure/mysql/mysql-pool.js';
import { MySqlSettlementPartitions } from '../infrastructure/mysql/mysql-settlement-partitions.js';
import { listStoredSettlements, type StoredSettlementRow } from '../infrastructure/mysql/mysql-settlement-queries.js';
import type { Wired } from './wired.js';

/** `db migrate` and `db status`: one connection (multi-statement for migrate), MySQL errors as settle errors. */
export async function wireMigrations(
  config: Config,
  options: { multipleStatements?: boolean } = {},
): Promise<Wired<{ migrate(logger: Logger): Promise<MigrationStatus>; pending(): Promise<MigrationStatus> }>> {
  const conn = await createMySqlConnection(config.mysql, options).catch(translateMySqlError);
  return {
    value: {
      migrate: (logger) => migrate(conn, logger).catch(translateMySqlError),
      pending: () => pendingMigrations(conn).catch(translateMySqlError),
    },
    close: () => conn.end(),
  };
}

/** `db partitions`: the settlements table's partitions on one connection; an ALTER waits `lockWaitTimeoutSeconds` for the metadata lock. */
export async function wireSettlementPartitionAdmin(config: Config, lockWaitTimeoutSeconds: number): Promise<Wired<MySqlSettlementPartitions>> {
  const conn = await createMySqlConnection(config.mysql).catch(translateMySqlError);
  return { value: new MySqlSettlementPartitions(conn, { lockWaitTimeoutSeconds }), close: () => conn.end().catch(() => undefined) };
}

/** The producer's job executions, to inspect and repair (`jobs`, `replay`'s plan, the consumer's stale-execution gauge). */
export function wireJobAdmin(config: Config, connections: number): Wired<MySqlJobAdmin> {
  const pool = createMySqlPool(config.mysql, connections);
  return { value: new MySqlJobAdmin(pool, config.jobs.heartbeatTimeoutMs), close: () => pool.end() };
}

/** `settlements list`: the loaded rows of a window, on one connection. */
export async function listLoadedSettlements(config: Config, window: SettlementWindow, limit: number): Promise<StoredSettlementRow[]> {
  const pool = createMySqlPool(config.mysql, 1);
  return listStoredSettlements(pool, window, limit).finally(() => pool.end());
}
