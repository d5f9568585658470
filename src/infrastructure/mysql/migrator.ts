import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../logging/logger.js';
import { fromPackageRoot } from '../package-root.js';
import { SettleError } from '../../domain/shared/settle-error.js';

/** migrations/ at the package root: NNNN_name.sql, applied in order, each once. */
export const MIGRATIONS_DIR = fromPackageRoot('migrations');

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(join(dir, file), 'utf8');
      return { version: Number(file.slice(0, 4)), name: file.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export interface MigrationStatus {
  readonly applied: string[];
  readonly pending: string[];
}

/**
 * Applies pending migrations under a named lock so two pods starting together do not race.
 * `conn` must allow multiple statements. A changed checksum of an applied file is an error, not a re-run.
 * `throughVersion`: stop after that version (a schema as it was, for tests and before/after benchmarks).
 */
export async function migrate(conn: Connection, log: Logger, dir = MIGRATIONS_DIR, throughVersion?: number): Promise<MigrationStatus> {
  await ensureTable(conn);
  const [lock] = await conn.query<RowDataPacket[]>("SELECT GET_LOCK('settle_migrations', 60) AS ok");
  if (lock[0]?.ok !== 1) throw new SettleError('MIGRATION_LOCK_TIMEOUT', 'another process is migrating; retry');
  try {
    const status = await pendingMigrations(conn, dir);
    const todo = (await readMigrations(dir)).filter((x) => status.pending.includes(x.name) && (throughVersion === undefined || x.version <= throughVersion));
    for (const m of todo) {
      log.info({ migration: m.name }, 'applying migration');
      await conn.query(m.sql);
      await conn.query('INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)', [m.version, m.name, m.checksum]);
    }
    const applied = todo.map((m) => m.name);
    return { applied, pending: status.pending.filter((name) => !applied.includes(name)) };
  } finally {
    await conn.query("SELECT RELEASE_LOCK('settle_migrations')");
  }
}

export async function pendingMigrations(conn: Connection, dir = MIGRATIONS_DIR): Promise<MigrationStatus> {
  await ensureTable(conn);
  const [rows] = await conn.query<RowDataPacket[]>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
  const applied = new Map(rows.map((r) => [Number(r.version), r as { name: string; checksum: string }]));
  const pending: string[] = [];
  for (const m of await readMigrations(dir)) {
    const done = applied.get(m.version);
    if (!done) pending.push(m.name);
    else if (done.checksum !== m.checksum)
      throw new SettleError('MIGRATION_MODIFIED', `migration ${m.name} was changed after it was applied; add a new migration instead`);
  }
  return { applied: rows.map((r) => String(r.name)), pending };
}

async function ensureTable(conn: Connection): Promise<void> {
  await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, checksum CHAR(64) NOT NULL,
    applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB`);
}
