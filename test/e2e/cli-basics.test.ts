import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/settle.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built binary with only the variables given (no inherited settle config). */
const settle = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

describe('settle CLI basics', () => {
  it('--help lists the commands and the exit codes', async () => {
    const r = await settle(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['db', 'produce', 'consume', 'replay', 'jobs', 'calendar', 'kafka', 'order'])
      expect(r.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/6\s+already completed/);
  });

  it('an unknown command is a usage error (exit 2)', async () => {
    const r = await settle(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('reports every missing variable at once and exits 2 without writing anything', async () => {
    const r = await settle(['produce', '--from', '2025-02-09', '--to', '2025-02-10']);
    expect(r.code).toBe(2);
    for (const name of ['TOSS_SECRET_KEY', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'MYSQL_URL']) expect(r.stderr).toContain(`${name} is required`);
  });

  it('never echoes secrets in configuration errors', async () => {
    const r = await settle(['produce', '--from', '2025-02-09', '--to', '2025-02-10'], {
      TOSS_SECRET_KEY: 'test_sk_e2e_secret_value_77',
      MYSQL_URL: 'mysql://app:pa55word_e2e@127.0.0.1:1/nope',
      KAFKA_BROKERS: 'not-a-broker',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('KAFKA_BROKERS: "not-a-broker" is not host:port');
    expect(r.stdout + r.stderr).not.toContain('test_sk_e2e_secret_value_77');
    expect(r.stdout + r.stderr).not.toContain('pa55word_e2e');
  });

  it('a bad date names the flag and what was expected', async () => {
    const r = await settle(['produce', '--from', '2025-13-01', '--to', '2025-02-10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from "2025-13-01"/);
  });
});
