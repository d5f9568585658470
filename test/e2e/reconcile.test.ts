import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopics, settlementTopicNames, testKafka } from '../support/producer-kafka.js';
import { stack, testSecretKey, uniqueName, withDatabase } from '../support/producer-stack.js';
import { generateSettlementRows, startTossFake, type TossFake, type TossRow } from '../support/toss-fake.js';

const BIN = fileURLToPath(new URL('../../bin/settle.js', import.meta.url));
const FROM = '2025-02-03';
const TO = '2025-02-04';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `settle reconcile` end to end, through the built binary against the real stack and the programmable Toss
 * fake: produce → consume → reconcile passes; a row deleted from MySQL and a row Toss has but the job never
 * published are each named by transaction key (exit 3); replay + consume heal both and reconcile passes again.
 */
describe('settle reconcile', () => {
  const topic = uniqueName('settle_e2e_reconcile');
  const database = uniqueName('settle_e2e');
  const group = uniqueName('settle_e2e_loader');
  const secret = testSecretKey();
  const rows: TossRow[] = generateSettlementRows({ count: 12, from: FROM, days: 2, keyPrefix: `R${Date.now().toString(36).toUpperCase()}` });
  // held back from Toss at first: the job never publishes it, as if a page boundary shifted under it
  const [hidden] = rows.splice(10, 1) as [TossRow];
  const deleted = String(rows[2]?.transactionKey);
  let fake: TossFake;
  let env: Record<string, string>;
  let admin: mysql.Connection;
  const outputs: string[] = [];

  /**
   * Runs the binary; one that has not finished in 3 minutes gets SIGTERM with its pipes left open (execFile's own
   * timeout closes them first), so a hang shows where settle was when it stopped instead of an empty stderr.
   */
  const settle = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      let timedOut = false;
      const child = execFile(process.execPath, [BIN, ...args], { env }, (error, stdout, stderr) => {
        clearTimeout(timer);
        outputs.push(stdout, stderr);
        const note = timedOut ? '\n(test: no exit after 180 s, sent SIGTERM)' : '';
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr: stderr + note });
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
      }, 180_000);
    });
  const ok = async (args: string[]): Promise<Run> => {
    const r = await settle(args);
    expect(r.code, `settle ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  const reconcile = (...extra: string[]) => settle(['reconcile', '--from', FROM, '--to', TO, ...extra]);
  /** The keys listed under a heading such as "missing from MySQL (2):". */
  const listed = (stdout: string, heading: string): string[] => {
    const at = stdout.split('\n').findIndex((l) => l.startsWith(heading));
    if (at < 0) return [];
    const out: string[] = [];
    for (const line of stdout.split('\n').slice(at + 1)) {
      if (!line.startsWith('  ')) break;
      out.push(line.trim());
    }
    return out;
  };

  beforeAll(async () => {
    fake = await startTossFake({ rows, secretKey: secret });
    admin = await mysql.createConnection({ uri: stack.mysqlUrl });
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    env = {
      PATH: process.env.PATH ?? '',
      TOSS_API_BASE_URL: fake.url,
      TOSS_SECRET_KEY: secret,
      TOSS_PAGE_SIZE: '5',
      KAFKA_BROKERS: stack.brokers,
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      MYSQL_URL: withDatabase(stack.mysqlUrl, database),
      SETTLEMENT_TOPIC: topic,
      SETTLEMENT_TOPIC_PARTITIONS: '3',
      CONSUMER_GROUP: group,
      METRICS_PORT: '0',
      LOG_LEVEL: 'info', // shown only when a run fails: where it was
    };
    await ok(['db', 'migrate']);
    await ok(['kafka', 'init']);
  });

  afterAll(async () => {
    await fake?.close();
    await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await deleteTopics(settlementTopicNames(topic)).catch(() => undefined);
    const kafkaAdmin = testKafka().admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.deleteGroups([group]).catch(() => undefined);
    await kafkaAdmin.disconnect();
  });

  it('passes (exit 0) once the window is produced and loaded', async () => {
    await ok(['produce', '--from', FROM, '--to', TO]);
    await ok(['consume', '--until-idle']);
    const r = await reconcile();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^2025-02-03\s+OK\s+rows\s+6\s+6\s+6\b/m);
    expect(r.stdout).toMatch(/^2025-02-04\s+OK\s+rows\s+5\s+5\s+5\b/m);
    expect(r.stdout).toMatch(/^total\s+OK\s+rows\s+11\s+11\s+11\b/m);
    expect(r.stdout).toContain('RUN COMPLETED');
  });

  it('exits 3 naming a row deleted from MySQL', async () => {
    await admin.query(`DELETE FROM \`${database}\`.settlements WHERE transaction_key = ?`, [deleted]);
    const r = await reconcile();
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^2025-02-03\s+MISMATCH\s+rows\s+6\s+6\s+5 {2}≠ differs$/m);
    expect(listed(r.stdout, 'missing from MySQL')).toEqual([deleted]);
    expect(listed(r.stdout, 'missing from Kafka')).toEqual([]);
    expect(r.stderr).toContain('RECONCILE_MISMATCH');
  });

  it('exits 3 naming a row Toss returns that no completed job published', async () => {
    rows.push(hidden);
    const r = await reconcile('--json');
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const report = JSON.parse(r.stdout) as {
      status: string;
      differences: Record<'kafka' | 'mysql', Record<'missing' | 'extra', { count: number; keys: string[] }>>;
    };
    expect(report.status).toBe('MISMATCH');
    expect(report.differences.kafka.missing).toEqual({ count: 1, keys: [hidden.transactionKey] });
    expect(report.differences.kafka.extra.count).toBe(0);
    expect(report.differences.mysql.missing.keys.sort()).toEqual([deleted, String(hidden.transactionKey)].sort());
  });

  it('passes again after replay and consume restore both rows', async () => {
    const replayed = await ok(['replay', '--from', FROM, '--to', TO, '--yes']);
    // the deleted row and the hidden one are new to MySQL; the other ten are as stored
    expect(replayed.stdout).toContain('compared with MySQL before each page: 2 new, 0 changed, 10 unchanged rows');
    await ok(['consume', '--until-idle']);
    const r = await reconcile();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^total\s+OK\s+rows\s+12\s+12\s+12\b/m);
    expect(r.stdout).toContain('REPLAY COMPLETED');
  });

  it('records every result in MySQL, with the differing keys', async () => {
    const [runs] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT id, status, api_rows, kafka_rows, mysql_rows FROM \`${database}\`.reconciliation_runs ORDER BY id`,
    );
    expect(runs.map((r) => [r.status, Number(r.api_rows), Number(r.kafka_rows), Number(r.mysql_rows)])).toEqual([
      ['OK', 11, 11, 11],
      ['MISMATCH', 11, 11, 10],
      ['MISMATCH', 12, 11, 10],
      ['OK', 12, 12, 12],
    ]);
    const [results] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT differences FROM \`${database}\`.reconciliation_results WHERE run_id = ? AND result_date = ?`,
      [runs[2]?.id, '2025-02-04'],
    );
    const differences = JSON.parse(String(results[0]?.differences)) as { kafka: { missing: { keys: string[] } } };
    expect(differences.kafka.missing.keys).toEqual([hidden.transactionKey]);
  });

  it('never prints the Toss secret', () => {
    expect(outputs.join('\n')).not.toContain(secret);
  });
});
