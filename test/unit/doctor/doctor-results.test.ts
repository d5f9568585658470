import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../src/infrastructure/health/config-check.js';
import { failed, passed, skipped, withDeadline } from '../../../src/infrastructure/health/health-check.js';
import { doctorExitCode } from '../../../src/presentation/cli/commands/doctor-command.js';

const complete = {
  TOSS_SECRET_KEY: 'test_sk_unit_doctor_0001',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  MYSQL_URL: 'mysql://app:pa55_unit@127.0.0.1:3306/settle',
};

describe('doctor: the configuration check', () => {
  it('passes a complete configuration, describing it without secrets', () => {
    const { result, usable } = checkConfig(complete);
    expect(result.ok).toBe(true);
    expect([...usable].sort()).toEqual(['kafka', 'mysql', 'registry', 'toss']);
    expect(result.detail).toContain('mysql://app:***@127.0.0.1:3306/settle');
    expect(result.detail).not.toContain('pa55_unit');
    expect(result.detail).not.toContain('test_sk_unit');
  });

  it('reports every problem and still lets the sections that are fine be checked', () => {
    const { result, config, usable } = checkConfig({ ...complete, TOSS_SECRET_KEY: 'sk_wrong_shape', MYSQL_URL: undefined, KAFKA_BROKERS: 'no-port' });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('TOSS_SECRET_KEY must be a secret key');
    expect(result.detail).toContain('MYSQL_URL is required');
    expect(result.detail).toContain('KAFKA_BROKERS: "no-port" is not host:port');
    expect(result.detail).not.toContain('sk_wrong_shape');
    expect([...usable]).toEqual(['registry']);
    expect(config?.registry.url).toBe(complete.SCHEMA_REGISTRY_URL);
  });

  it('a bad TOSS_API_BASE_URL makes the Toss check skip rather than fall back to the real Toss', () => {
    const { usable } = checkConfig({ ...complete, TOSS_API_BASE_URL: 'ftp://nope' });
    expect(usable.has('toss')).toBe(false);
    expect(usable.has('kafka')).toBe(true);
  });
});

describe('doctor: the exit code', () => {
  it('is 0 only when every check passed', () => {
    expect(doctorExitCode([passed('a', ''), passed('b', '')])).toBe(0);
  });
  it('is 4 when only reachability failed (retry later)', () => {
    expect(doctorExitCode([passed('configuration', ''), failed('kafka', 'down', 'start it', true), failed('mysql', 'down', 'start it', true)])).toBe(4);
  });
  it('is 2 when anything must be fixed, even alongside reachability failures', () => {
    expect(doctorExitCode([passed('configuration', ''), failed('kafka', 'down', 'start it', true), failed('toss', 'UNAUTHORIZED_KEY', 'fix the key')])).toBe(2);
    expect(doctorExitCode([failed('configuration', 'MYSQL_URL is required', 'set it'), skipped('mysql', 'not checked')])).toBe(2);
  });
});

describe('doctor: a hung check', () => {
  it('turns into a transient failure after its deadline', async () => {
    const r = await withDeadline('kafka', 50, () => new Promise(() => undefined), 'start the broker');
    expect(r).toMatchObject({ name: 'kafka', ok: false, transient: true, fix: 'start the broker' });
  });
});
