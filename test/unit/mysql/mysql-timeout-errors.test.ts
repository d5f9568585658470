import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { toSettleError } from '../../../src/infrastructure/mysql/mysql-errors.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';

const driverError = (message: string, props: Record<string, unknown>) => Object.assign(new Error(message), props);

describe('MySQL timeouts and closed connections are transient (the retry paths retry them, a producer exits 4)', () => {
  it("mysql2's query timeout (also what an abandoned connection's queued statements get) is MYSQL_QUERY_TIMEOUT", () => {
    const e = toSettleError(driverError('Query inactivity timeout', { code: 'PROTOCOL_SEQUENCE_TIMEOUT', fatal: true }));
    expect(e).toMatchObject({ code: 'MYSQL_QUERY_TIMEOUT', category: 'transient', retriable: true });
    expect(e.message).toContain('MYSQL_QUERY_TIMEOUT_MS');
  });

  it('a statement on a connection mysql2 already closed (lost or abandoned) is MYSQL_CONNECTION_CLOSED', () => {
    const closed = driverError("Can't add new command when connection is in closed state", { fatal: true });
    expect(toSettleError(closed)).toMatchObject({ code: 'MYSQL_CONNECTION_CLOSED', category: 'transient', retriable: true });
  });

  it('the connect timeout and a lost connection stay transient; an unknown non-fatal error stays internal, its driver code kept', () => {
    expect(toSettleError(driverError('connect ETIMEDOUT', { code: 'ETIMEDOUT', fatal: true }))).toMatchObject({ code: 'MYSQL_ETIMEDOUT', retriable: true });
    expect(toSettleError(driverError('Connection lost', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }))).toMatchObject({
      code: 'MYSQL_PROTOCOL_CONNECTION_LOST',
      retriable: true,
    });
    expect(toSettleError(driverError('something odd', {}))).toMatchObject({
      code: 'MYSQL_QUERY_FAILED',
      category: 'internal',
      retriable: false,
      details: { mysqlCode: 'UNKNOWN' },
      message: 'MySQL UNKNOWN: something odd',
    });
  });

  it('our own MYSQL_QUERY_TIMEOUT passes through unchanged', () => {
    const own = new SettleError('MYSQL_QUERY_TIMEOUT', 'no answer');
    expect(toSettleError(own)).toBe(own);
  });
});

describe('MYSQL_QUERY_TIMEOUT_MS', () => {
  const base = { MYSQL_URL: 'mysql://app:pw@db:3306/settle' };
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env, ['mysql']);
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', category: 'usage' });
      return (error as SettleError).details.problems as string[];
    }
    throw new Error('expected loadConfig to throw');
  };

  it('defaults to 60 s: longer than a row-lock wait (innodb_lock_wait_timeout, 50 s by default)', () => {
    expect(loadConfig(base, ['mysql']).mysql.queryTimeoutMs).toBe(60_000);
  });

  it('is read from the environment and validated', () => {
    expect(loadConfig({ ...base, MYSQL_QUERY_TIMEOUT_MS: '8000' }, ['mysql']).mysql.queryTimeoutMs).toBe(8_000);
    expect(problems({ ...base, MYSQL_QUERY_TIMEOUT_MS: '500' }).join('\n')).toMatch(/MYSQL_QUERY_TIMEOUT_MS must be ≥ 1000/);
    expect(problems({ ...base, MYSQL_QUERY_TIMEOUT_MS: 'soon' }).join('\n')).toMatch(/MYSQL_QUERY_TIMEOUT_MS must be a number/);
    expect(problems({ ...base, MYSQL_QUERY_TIMEOUT_MS: '1.5' }).join('\n')).toMatch(/MYSQL_QUERY_TIMEOUT_MS must be a whole number/);
  });
});
