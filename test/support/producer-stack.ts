import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { pino } from 'pino';
import { loadConfig, type Config, type ConfigSection, type Env } from '../../src/infrastructure/config/config.js';
import type { Logger } from '../../src/infrastructure/logging/logger.js';
import { jobLockName } from '../../src/infrastructure/mysql/job-rows.js';
import { migrate } from '../../src/infrastructure/mysql/migrator.js';

/** The local stack (scripts/stack.sh), overridable from the environment like the product itself. */
export const stack = {
  brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  registryUrl: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  prismUrl: process.env.PRISM_URL ?? 'http://127.0.0.1:4010',
  /** Any database on the server; tests create their own next to it. */
  mysqlUrl: process.env.MYSQL_URL ?? 'mysql://settle:settle-local@127.0.0.1:3307/settle',
};

/** A name no other test run uses: letters, digits and `_` (valid for topics and databases alike). */
export const uniqueName = (prefix: string): string => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

export const silentLogger = (): Logger => pino({ level: 'silent' });

/** A key that is easy to spot if it ever leaks into output. */
export const testSecretKey = (): string => `test_sk_LEAKCHECK${randomBytes(6).toString('hex')}`;

export interface TempDatabase {
  readonly name: string;
  /** mysql://… of the temp database. */
  readonly url: string;
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** `url` (mysql://…) pointing at database `db` instead. */
export const withDatabase = (url: string, db: string): string => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

/** CREATE DATABASE settle_it_<random>, migrated with the project's migrations; `drop` removes it. */
export async function createTempDatabase(prefix = 'settle_it'): Promise<TempDatabase> {
  const name = uniqueName(prefix);
  const admin = await mysql.createConnection({ uri: stack.mysqlUrl, multipleStatements: true, dateStrings: true });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(stack.mysqlUrl, name);
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true, dateStrings: true, timezone: 'Z' });
  await conn.query("SET SESSION time_zone = '+00:00'");
  await migrate(conn, silentLogger());
  return {
    name,
    url,
    async query<T>(sql: string, params: unknown[] = []) {
      const [rows] = await conn.query(sql, params);
      return rows as T[];
    },
    async drop() {
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
      await conn.end().catch(() => undefined);
    },
  };
}

/** The product's own config for the local stack, with test-specific overrides (a plain env object). */
export function stackConfig(overrides: Env, needs: readonly ConfigSection[] = ['toss', 'kafka', 'registry', 'mysql']): Config {
  return loadConfig(
    { KAFKA_BROKERS: stack.brokers, SCHEMA_REGISTRY_URL: stack.registryUrl, MYSQL_URL: stack.mysqlUrl, LOG_LEVEL: 'silent', ...overrides },
    needs,
  );
}

/** Polls until `check` is true (or throws after `timeoutMs`), for waiting on a process or a server. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ExecutionRow {
  id: number;
  instance_id: number;
  status: string;
  resumed_from: number | null;
  last_page: number;
  pages: number;
  rows_fetched: number;
  rows_published: number;
  last_error: string | null;
}

/** The job executions of the window starting on `from`, oldest first, straight from the job repository. */
export const executionsOf = (db: TempDatabase, from: string): Promise<ExecutionRow[]> =>
  db.query<ExecutionRow>(
    'SELECT e.id, e.instance_id, e.status, e.resumed_from, e.last_page, e.pages, e.rows_fetched, e.rows_published, e.last_error FROM job_executions e JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = ? ORDER BY e.id',
    [from],
  );

/**
 * Whether the claim on a job instance (its named lock) is free on the server. A killed run's claim goes
 * when the server has dropped its connection, which happens after the process is gone, not with it: wait
 * on this before expecting the next run or `jobs recover` to find the window free.
 */
export async function claimIsFree(db: TempDatabase, instanceId: number): Promise<boolean> {
  const lock = await jobLockName({ query: async (sql: string) => [await db.query(sql)] }, instanceId);
  const [row] = await db.query<{ free: number | null }>('SELECT IS_FREE_LOCK(?) AS free', [lock]);
  return Number(row?.free) === 1;
}
