import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettlementSerde, createSchemaRegistry, readSettlementSchema } from '../../src/infrastructure/kafka/settlement-serde.js';
import { createTempDatabase, stack, stackConfig, testSecretKey, uniqueName, type TempDatabase } from '../support/producer-stack.js';

const BIN = fileURLToPath(new URL('../../bin/settle.js', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The built binary with only the variables given (nothing inherited), as cron or a pod would run it. */
const settle = (args: readonly string[], env: Record<string, string>): Promise<Run> => {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
};

/** A stand-in for Toss: 401 UNAUTHORIZED_KEY for every request, or an empty page; records the auth headers. */
async function startToss(mode: 'reject' | 'accept'): Promise<{ url: string; auths: string[]; server: Server }> {
  const auths: string[] = [];
  const server = createServer((req, res) => {
    auths.push(req.headers.authorization ?? '');
    if (mode === 'reject')
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'UNAUTHORIZED_KEY', message: '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.' }));
    else res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auths, server };
}

/** The line of a check and the `fix:` line under it. */
const finding = (stdout: string, name: string): { line: string; fix: string } => {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => new RegExp(`^(ok|WARN|FAIL|skip)\\s+${name}\\s`).test(l));
  const next = lines[i + 1] ?? '';
  return { line: lines[i] ?? '', fix: /^\s+fix: /.test(next) ? next.trim() : '' };
};

/**
 * Whether the calendar check warns today: the built-in holiday data is verified through 2026, and the doctor warns
 * from 60 days before its end (Asia/Seoul). Computed here from the clock, so the tests hold on any date.
 */
const horizonWarnsToday = (): boolean => {
  const seoulToday = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
  return Date.parse('2026-12-31') - Date.parse(seoulToday) <= 60 * 86_400_000;
};

describe('settle doctor and settle schema check (built binary)', () => {
  const secret = testSecretKey();
  const topic = uniqueName('e2e.doctor');
  let db: TempDatabase;
  let rejecting: Awaited<ReturnType<typeof startToss>>;
  let accepting: Awaited<ReturnType<typeof startToss>>;
  let dir: string;
  const env = (overrides: Record<string, string>): Record<string, string> => ({
    TOSS_SECRET_KEY: secret,
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    MYSQL_URL: db.url,
    SETTLEMENT_TOPIC: topic,
    SETTLEMENT_TOPIC_PARTITIONS: '2',
    ...overrides,
  });

  beforeAll(async () => {
    [db, rejecting, accepting, dir] = await Promise.all([
      createTempDatabase('settle_e2e_doctor'),
      startToss('reject'),
      startToss('accept'),
      mkdtemp(join(tmpdir(), 'settle-doctor-')),
    ]);
    // the producer registers the subject on its first run; do the same here
    await SettlementSerde.register(createSchemaRegistry(stackConfig({ SETTLEMENT_TOPIC: topic }, ['registry']).registry), topic);
  });

  afterAll(async () => {
    rejecting?.server.close();
    accepting?.server.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports a stopped broker and a wrong Toss key, each with its fix, within seconds and without the key', async () => {
    const r = await settle(['doctor'], env({ TOSS_API_BASE_URL: rejecting.url, KAFKA_BROKERS: '127.0.0.1:1' }));
    expect(r.code).toBe(2); // a wrong key must be fixed, not retried
    const toss = finding(r.stdout, 'toss');
    expect(toss.line).toMatch(/^FAIL\s+toss\s+Toss rejected the secret key \(UNAUTHORIZED_KEY\)/);
    expect(toss.fix).toBe('fix: check TOSS_SECRET_KEY is a live/test secret key for this merchant');
    const kafka = finding(r.stdout, 'kafka');
    expect(kafka.line).toMatch(/^FAIL\s+kafka\s+cannot connect to 127\.0\.0\.1:1/);
    expect(kafka.fix).toMatch(/start the broker, or correct KAFKA_BROKERS/);
    expect(finding(r.stdout, 'configuration').line).toMatch(/^ok/);
    expect(finding(r.stdout, 'registry').line).toMatch(/^ok\s+registry\s.*compatibility BACKWARD/);
    expect(finding(r.stdout, 'mysql').line).toMatch(/^ok\s+mysql\s.*schema current/);
    expect(r.ms).toBeLessThan(20_000);
    // the key was sent (Basic auth) but never printed
    expect(rejecting.auths).toContain(`Basic ${Buffer.from(`${secret}:`).toString('base64')}`);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('exits 4 when the only problem is reachability (a stopped broker): safe to retry later', async () => {
    const r = await settle(['doctor', '--json'], env({ TOSS_API_BASE_URL: accepting.url, KAFKA_BROKERS: '127.0.0.1:1' }));
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout) as { ok: boolean; exitCode: number; checks: Array<{ name: string; ok: boolean; transient?: boolean; fix: string }> };
    expect(report).toMatchObject({ ok: false, exitCode: 4 });
    expect(report.checks.filter((c) => !c.ok).map((c) => [c.name, c.transient])).toEqual([['kafka', true]]);
    // the calendar's horizon warning (if today is near it) passes: it leaves the exit code at 4
    const calendar = report.checks.find((c) => c.name === 'calendar') as { ok: boolean; warning?: boolean } | undefined;
    expect(calendar).toMatchObject({ ok: true });
    expect(calendar?.warning === true).toBe(horizonWarnsToday());
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('names missing topics with `settle kafka init`, and passes (exit 0) once they exist', async () => {
    const base = env({ TOSS_API_BASE_URL: accepting.url, KAFKA_BROKERS: stack.brokers });
    const before = await settle(['doctor'], base);
    expect(before.code).toBe(2);
    expect(finding(before.stdout, 'kafka').line).toContain(`missing topic(s) on ${stack.brokers}: ${topic}, ${topic}.dlq, ${topic}.rejects`);
    expect(finding(before.stdout, 'kafka').fix).toContain('settle kafka init');

    expect((await settle(['kafka', 'init'], base)).code).toBe(0);
    const after = await settle(['doctor'], base);
    expect(after.stdout).toMatch(/^ok\s+kafka\s.*has 2 partition\(s\)/m);
    // a horizon warning is shown with its fix but is still a pass: exit 0
    const calendar = finding(after.stdout, 'calendar');
    if (horizonWarnsToday()) {
      expect(after.stdout).toMatch(/^all 6 checks passed \(1 with a warning\)$/m);
      expect(calendar.line).toMatch(/^WARN\s+calendar\s+holidays verified only through 2026: \d+ day\(s\) (left|past its end)/);
      expect(calendar.fix).toContain('"verifiedThroughYear": 2027');
    } else {
      expect(after.stdout).toMatch(/^all 6 checks passed$/m);
      expect(calendar.line).toMatch(/^ok\s+calendar\s+holidays verified through 2026/);
    }
    expect(after.code).toBe(0);
  });

  describe('EXPECTED_ROWS_PER_DAY: the buffer pool a day needs', () => {
    // every other check passes (topics created here, whatever ran before): the exit code is the buffer pool's to change
    const base = () => env({ TOSS_API_BASE_URL: accepting.url, KAFKA_BROKERS: stack.brokers });
    const calendarWarnings = () => (horizonWarnsToday() ? 1 : 0);

    beforeAll(async () => {
      expect((await settle(['kafka', 'init'], base())).code).toBe(0);
    });

    it('unset: no buffer pool check, exit 0', async () => {
      const r = await settle(['doctor'], base());
      expect(finding(r.stdout, 'buffer pool').line).toBe('');
      expect(r.code).toBe(0);
    });

    it('a day the server cannot hold (1,000,000,000 rows): WARN with both sizes, the inputs and the fix; exit code still 0', async () => {
      const r = await settle(['doctor'], { ...base(), EXPECTED_ROWS_PER_DAY: '1000000000' });
      const pool = finding(r.stdout, 'buffer pool');
      expect(pool.line).toMatch(/^WARN\s+buffer pool\s+innodb_buffer_pool_size is [\d.]+ [MG]iB \([\d,]+ bytes\); EXPECTED_ROWS_PER_DAY=1,000,000,000 /);
      expect(pool.line).toContain('needs 207.2 GiB');
      expect(pool.line).toContain('(222,500,000,000 bytes = 178 index bytes/row × 1,000,000,000 rows × 1 hot day × 1.25 headroom)');
      expect(pool.fix).toMatch(/^fix: raise innodb_buffer_pool_size to 208G or more .*lower EXPECTED_ROWS_PER_DAY/);
      // right after the mysql check it follows
      const lines = r.stdout.split('\n');
      expect(lines.findIndex((l) => /^WARN\s+buffer pool/.test(l))).toBeGreaterThan(lines.findIndex((l) => /^ok\s+mysql\s/.test(l)));
      expect(r.stdout).toMatch(new RegExp(`^all 7 checks passed \\(${1 + calendarWarnings()} with a warning\\)$`, 'm'));
      expect(r.code).toBe(0);

      const json = await settle(['doctor', '--json'], { ...base(), EXPECTED_ROWS_PER_DAY: '1000000000' });
      type Check = { name: string; ok: boolean; warning?: boolean; detail: string; fix: string };
      const report = JSON.parse(json.stdout) as { ok: boolean; exitCode: number; checks: Check[] };
      expect(report).toMatchObject({ ok: true, exitCode: 0 });
      expect(report.checks.find((c) => c.name === 'buffer pool')).toMatchObject({ ok: true, warning: true, fix: expect.stringContaining('208G') });
      expect(json.code).toBe(0);
    });

    it('a day the server holds (1,000 rows): ok, no warning', async () => {
      const r = await settle(['doctor'], { ...base(), EXPECTED_ROWS_PER_DAY: '1000' });
      const pool = finding(r.stdout, 'buffer pool');
      expect(pool.line).toMatch(/^ok\s+buffer pool\s+innodb_buffer_pool_size is .* EXPECTED_ROWS_PER_DAY=1,000 needs 222,500 bytes /);
      expect(pool.line).toMatch(/: the day's indexes fit$/);
      expect(pool.fix).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^all 7 checks passed${calendarWarnings() ? ' \\(1 with a warning\\)' : ''}$`, 'm'));
      expect(r.code).toBe(0);
    });

    it('an invalid value is a configuration problem naming the variable (exit 2); MySQL is still checked', async () => {
      const r = await settle(['doctor'], { ...base(), EXPECTED_ROWS_PER_DAY: '0' });
      expect(finding(r.stdout, 'configuration').line).toMatch(/^FAIL\s+configuration\s+EXPECTED_ROWS_PER_DAY must be ≥ 1/);
      expect(finding(r.stdout, 'mysql').line).toMatch(/^ok\s+mysql\s/);
      expect(r.code).toBe(2);
    });
  });

  it('schema check: the current schema passes; a new required field without a default is refused with exit 3', async () => {
    const ok = await settle(['schema', 'check'], env({}));
    expect(ok.stdout).toMatch(/^ok: .* is BACKWARD compatible with .*-value version \d+/);
    expect(ok.code).toBe(0);

    const schema = JSON.parse(readSettlementSchema()) as { fields: unknown[] };
    schema.fields.push({ name: 'settlementBatchId', type: 'string' });
    const file = join(dir, 'incompatible.avsc');
    await writeFile(file, JSON.stringify(schema));
    const bad = await settle(['schema', 'check', '--schema', file], env({}));
    expect(bad.code).toBe(3);
    expect(bad.stdout).toContain(`incompatible: ${file} cannot be the next version of ${topic}-value`);
    expect(bad.stdout).toMatch(/settlementBatchId/);
    expect(bad.stdout).toMatch(/fix: give new fields a default/);
  });

  it('schema check: an unreachable registry is exit 4', async () => {
    const r = await settle(['schema', 'check'], env({ SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' }));
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('SCHEMA_REGISTRY_UNREACHABLE');
  });
});
