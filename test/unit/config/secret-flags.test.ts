import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/presentation/cli/run-cli.js';
import { collect } from '../../support/collect-output.js';

// Command-line arguments are public on the machine: `ps`, /proc/<pid>/cmdline (any user), the pod spec, shell
// history. settle never sets process.title; the only way a secret reached argv was a URL flag with a password.

const settle = async (args: string[]) => {
  const out = collect();
  const err = collect();
  // nothing listens on port 1: a command that got past the flags fails to connect (exit 4), not with exit 2
  const env = {
    LOG_LEVEL: 'silent',
    MYSQL_URL: 'mysql://app@127.0.0.1:1/settle',
    KAFKA_BROKERS: '127.0.0.1:1',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
    TOSS_SECRET_KEY: 'test_sk_unit',
  };
  const { code } = await runCli({
    argv: ['node', 'settle', ...args],
    env,
    version: 'test',
    stdout: out.stream,
    stderr: err.stream,
    signal: new AbortController().signal,
  });
  return { code, output: out.text() + err.text() };
};

describe('secrets in flags', () => {
  it.each([
    ['--mysql-url', 'mysql://app:hunter2@127.0.0.1:1/settle', 'MYSQL_URL', ['db', 'status']],
    ['--registry-url', 'https://reg:hunter2@127.0.0.1:1/apis/ccompat/v7', 'SCHEMA_REGISTRY_URL', ['schema', 'check']],
    ['--toss-base-url', 'https://u:hunter2@127.0.0.1:1', 'TOSS_API_BASE_URL', ['doctor']],
  ])(
    '%s with a password is refused (exit 2) before anything connects, naming the variable to use, never echoing it',
    async (flag, value, variable, command) => {
      for (const args of [
        [...command, flag, value],
        [flag, value, ...command],
      ]) {
        const r = await settle(args);
        expect(r.code, r.output).toBe(2);
        expect(r.output).toContain(`${flag} carries a password`);
        expect(r.output).toContain(variable);
        expect(r.output).not.toContain('hunter2');
      }
    },
  );

  it('a URL flag without a password is still accepted', async () => {
    const r = await settle(['db', 'status', '--mysql-url', 'mysql://app@127.0.0.1:1/settle']);
    expect(r.code, r.output).toBe(4);
  });
});
