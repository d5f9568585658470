import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { checkMySql } from '../../../src/infrastructure/health/mysql-check.js';
import { createMySqlConnection, createMySqlPool } from '../../../src/infrastructure/mysql/mysql-pool.js';
import { toSettleError } from '../../../src/infrastructure/mysql/mysql-errors.js';
import { runCli } from '../../../src/presentation/cli/run-cli.js';
import { collect } from '../../support/collect-output.js';

// The stack's MariaDB runs without TLS (have_ssl = DISABLED: skip-ssl in stack/mariadb/settle.cnf): a client told
// to use TLS must refuse to go on in the clear. That it does, on every path, shows MYSQL_SSL reaches mysql2 there.
const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://settle:settle-local@127.0.0.1:3307/settle';

const settle = async (args: string[], env: Record<string, string>) => {
  const out = collect();
  const err = collect();
  const { code } = await runCli({
    argv: ['node', 'settle', ...args],
    env: { LOG_LEVEL: 'silent', ...env },
    version: 'test',
    stdout: out.stream,
    stderr: err.stream,
    signal: new AbortController().signal,
  });
  return { code, stdout: out.text(), stderr: err.text() };
};

describe('MYSQL_SSL against a server without TLS', () => {
  const plain = loadConfig({ MYSQL_URL }, ['mysql']).mysql;
  const tls = loadConfig({ MYSQL_URL, MYSQL_SSL: 'true' }, ['mysql']).mysql;

  it('without MYSQL_SSL the pool and a connection work', async () => {
    const pool = createMySqlPool(plain, 1);
    try {
      const [rows] = await pool.query('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
    const conn = await createMySqlConnection(plain);
    await conn.end();
  });

  it('with MYSQL_SSL=true the pool, a connection and the doctor refuse the server instead of going on in the clear', async () => {
    const pool = createMySqlPool(tls, 1);
    try {
      const error = await pool.query('SELECT 1').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'HANDSHAKE_NO_SSL_SUPPORT' });
      expect(toSettleError(error)).toMatchObject({ code: 'MYSQL_HANDSHAKE_NO_SSL_SUPPORT', category: 'usage' });
    } finally {
      await pool.end();
    }
    await expect(createMySqlConnection(tls)).rejects.toMatchObject({ code: 'HANDSHAKE_NO_SSL_SUPPORT' });
    const doctor = await checkMySql(tls);
    expect(doctor.ok).toBe(false);
    expect(doctor.detail).toMatch(/TLS/);
  });

  it('`settle db status` and `settle settlements list` exit 2 naming MYSQL_SSL, and work without it', async () => {
    expect((await settle(['db', 'status'], { MYSQL_URL })).code).toBe(0);
    for (const args of [
      ['db', 'status'],
      ['settlements', 'list', '--from', '2025-02-01', '--to', '2025-02-01'],
    ]) {
      const r = await settle(args, { MYSQL_URL, MYSQL_SSL: 'true' });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/MYSQL_HANDSHAKE_NO_SSL_SUPPORT.*MYSQL_SSL/);
    }
  });
});
