import mysql, { type Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { MIGRATIONS_DIR, migrate } from '../../../src/infrastructure/mysql/migrator.js';
import { MySqlJobRepository } from '../../../src/infrastructure/mysql/mysql-job-repository.js';
import { createMySqlConnection } from '../../../src/infrastructure/mysql/mysql-pool.js';
import { silentLogger, stack, uniqueName } from '../../support/producer-stack.js';

/** A database migrated up to 0030 holds executions recorded before page sizes were; then 0040 is applied. */
const name = uniqueName('settle_it_pgsz');
const url = (() => {
  const u = new URL(stack.mysqlUrl);
  u.pathname = `/${name}`;
  return u.toString();
})();
let conn: Connection;

beforeAll(async () => {
  const admin = await mysql.createConnection({ uri: stack.mysqlUrl });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`).finally(() => admin.end());
  conn = await mysql.createConnection({ uri: url, multipleStatements: true, dateStrings: true });
  await migrate(conn, silentLogger(), MIGRATIONS_DIR, 39);
});

afterAll(async () => {
  await conn?.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
  await conn?.end().catch(() => undefined);
});

/** An execution as the producer recorded it before 0040, with its checkpoints (page → rows fetched). */
async function legacyExecution(instanceId: number, lastPage: number, checkpoints: Record<number, number>): Promise<number> {
  const [res] = await conn.query<mysql.ResultSetHeader>(
    "INSERT INTO job_executions (instance_id, kind, status, started_at, heartbeat_at, last_page) VALUES (?, 'RUN', 'FAILED', NOW(3), NOW(3), ?)",
    [instanceId, lastPage],
  );
  for (const [page, rows] of Object.entries(checkpoints))
    await conn.query('INSERT INTO job_page_checkpoints (execution_id, page, rows_fetched, rows_published, rows_rejected) VALUES (?, ?, ?, ?, 0)', [
      res.insertId,
      Number(page),
      rows,
      rows,
    ]);
  return res.insertId;
}

describe('migration 0040 (page sizes of executions)', () => {
  it('fills the size where a checkpointed page was followed by another (so it was full), leaves it unknown elsewhere, and the unknown one is refused with the way out', async () => {
    const [a] = await conn.query<mysql.ResultSetHeader>(
      "INSERT INTO job_instances (job_name, window_from, window_to, date_type) VALUES ('toss-settlements', '2025-09-01', '2025-09-01', 'soldDate')",
    );
    const [b] = await conn.query<mysql.ResultSetHeader>(
      "INSERT INTO job_instances (job_name, window_from, window_to, date_type) VALUES ('toss-settlements', '2025-09-02', '2025-09-02', 'soldDate')",
    );
    const full = await legacyExecution(a.insertId, 3, { 1: 10, 2: 10, 3: 10 });
    const resumed = await legacyExecution(a.insertId, 5, { 4: 25, 5: 3 }); // its last page was short: 25 is the size
    const single = await legacyExecution(b.insertId, 1, { 1: 7 }); // one page: full or the window's last? unknown

    const status = await migrate(conn, silentLogger());
    expect(status.applied[0]).toBe('0040_job_page_size'); // then any later migrations
    const [sizes] = await conn.query<mysql.RowDataPacket[]>('SELECT id, page_size FROM job_executions ORDER BY id');
    expect(sizes.map((r) => [r.id, r.page_size])).toEqual([
      [full, 10],
      [resumed, 25],
      [single, null],
    ]);

    const repository = new MySqlJobRepository(await createMySqlConnection({ url: new Secret(url), tls: null }));
    const refusal = repository.start({ window: settlementWindow('2025-09-02', '2025-09-02'), kind: 'RUN', pageSize: 7, host: 'it', pid: 1 });
    await expect(refusal).rejects.toMatchObject({ code: 'JOB_PAGE_SIZE_UNKNOWN', category: 'usage', details: { executionId: single, lastPage: 1 } });
    await expect(refusal).rejects.toThrow(`settle jobs abandon ${single}`);
    const [executions] = await conn.query<mysql.RowDataPacket[]>('SELECT id FROM job_executions WHERE instance_id = ?', [b.insertId]);
    expect(executions).toHaveLength(1); // nothing recorded by the refused run
  });
});
