import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaPath, PRODUCE, type KafkaPath } from '../support/kafka-path.js';
import {
  assertSecretNotPrinted,
  requireBuild,
  runSettle,
  startSettle,
  stopStrays,
  whileRunning,
  type CliRun,
  type RunningCli,
} from '../support/producer-cli.js';
import { countRecords, createSettlementTopics, dropSettlementTopics, readSettlements } from '../support/producer-kafka.js';
import { createTempDatabase, executionsOf, stack, testSecretKey, uniqueName, until, type ExecutionRow, type TempDatabase } from '../support/producer-stack.js';
import { fault, gate, generateSettlementRows, startTossFake, type TossFake } from '../support/toss-fake.js';

/**
 * `settle produce` and `settle replay` stopped (SIGTERM) while the broker is unreachable and kafkajs retries the pages
 * in flight: the stop has a deadline (SHUTDOWN_TIMEOUT_MS), checkpoints exactly what Kafka acknowledged, exits 4 with
 * SHUTDOWN_DEADLINE_EXCEEDED, and a rerun resumes after the last acknowledged page. Every wait is on a state (a held
 * Toss page, records in the topic, answered produce requests, checkpoints, a logged connection error); the time the
 * stop took is the process's own measure (its "shutdown" log line), compared with its own configured deadline.
 */
const secretKey = testSecretKey();
const PAGE = 100;
const HELD = 6; // the run waits on this page while the test cuts its path to Kafka
const SHUTDOWN_TIMEOUT_MS = 5_000;
const days = { produce: '2025-07-01', replay: '2025-07-02' } as const;
const rowsOf = {
  produce: generateSettlementRows({ count: 1_450, from: days.produce, seed: 45 }),
  replay: generateSettlementRows({ count: 1_450, from: days.replay, seed: 46, keyPrefix: 'r' }),
};
const topics = { produce: uniqueName('settle.e2e.shutdown'), replay: uniqueName('settle.e2e.shutdown_replay') };
const argsOf = {
  produce: ['produce', '--from', days.produce, '--to', days.produce, '--page-size', String(PAGE), '--concurrency', '2'],
  replay: ['replay', '--from', days.replay, '--to', days.replay, '--yes'],
};
let db: TempDatabase;
let fake: TossFake;
const paths: KafkaPath[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  requireBuild();
  db = await createTempDatabase('settle_e2e');
  for (const t of Object.values(topics)) await createSettlementTopics(t, 3);
  fake = await startTossFake({ rows: [...rowsOf.produce, ...rowsOf.replay], secretKey });
  // replay has no --page-size or --concurrency: the environment gives them to both commands
  env = {
    TOSS_API_BASE_URL: fake.url,
    TOSS_SECRET_KEY: secretKey,
    TOSS_TIMEOUT_MS: '600000',
    TOSS_PAGE_SIZE: String(PAGE),
    TOSS_CONCURRENCY: '2',
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    MYSQL_URL: db.url,
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    LOG_LEVEL: 'info',
  };
});

afterEach(async () => {
  await stopStrays();
  fake.setFaults({});
});

afterAll(async () => {
  for (const p of paths) await p.close();
  await fake?.close();
  await db?.drop();
  for (const t of Object.values(topics)) await dropSettlementTopics(t);
});

/** A fresh path to the stack's broker, which the test can cut. */
async function kafkaPath(): Promise<KafkaPath> {
  const [host = '127.0.0.1', port = '9092'] = stack.brokers.split(',')[0]?.split(':') ?? [];
  const path = await startKafkaPath({ host, port: Number(port) });
  paths.push(path);
  return path;
}

/** The process's pino JSON lines with this message. */
const logLines = (run: CliRun, msg: string): Array<Record<string, unknown>> =>
  run.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === msg);

/** Stderr of a running process from now on (its kafkajs lines included). */
const stderrFrom = (running: RunningCli): (() => string) => {
  let text = '';
  running.child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
};

const checkpointedPages = async (executionId: number): Promise<number[]> =>
  (await db.query<{ page: number }>('SELECT page FROM job_page_checkpoints WHERE execution_id = ? ORDER BY page', [executionId])).map((r) => Number(r.page));

/**
 * Runs `command` through a path to Kafka, holds Toss's page 6, and once pages 1-5 are acknowledged cuts the path,
 * lets page 6 through (it goes to a Kafka that is gone, page 7 after it) and SIGTERMs the process once it logged a
 * Kafka connection error. Returns the stopped run and its execution.
 */
async function stopWhileKafkaIsGone(command: 'produce' | 'replay'): Promise<{ stopped: CliRun; halted: ExecutionRow }> {
  const path = await kafkaPath();
  const held = gate();
  fake.setFaults({ [HELD]: [fault.hold(held)] });
  const running = startSettle(argsOf[command], { ...env, SETTLEMENT_TOPIC: topics[command], KAFKA_BROKERS: path.brokers });
  const stderr = stderrFrom(running);
  await whileRunning(running, held.reached, `it asked for page ${HELD}`);
  // pages 1-5 are in the topic and every produce request was answered: the run has all their acknowledgements
  const acknowledged = async () => (await countRecords(topics[command])) === (HELD - 1) * PAGE && path.outstanding(PRODUCE) === 0;
  await whileRunning(running, until(acknowledged, 60_000, 'pages 1-5 acknowledged'), 'pages 1-5 acknowledged');
  expect(path.connections()).toBeGreaterThan(0); // the run's Kafka traffic went through the path

  // the broker becomes unreachable, then Toss answers page 6: it goes to a Kafka that is gone
  await path.unreachable();
  const cutAt = stderr().length;
  held.open();
  const [execution] = await executionsOf(db, days[command]);
  if (!execution) throw new Error(`no execution of ${command}`);
  await whileRunning(
    running,
    until(async () => (await checkpointedPages(execution.id)).length === HELD - 1, 60_000, 'page 5 checkpointed'),
    'page 5 checkpointed',
  );
  await whileRunning(
    running,
    until(() => /Connection error|ECONNREFUSED|Closed connection|Failed to connect/.test(stderr().slice(cutAt)), 60_000, 'a Kafka connection error in its log'),
    'a connection error',
  );

  running.child.kill('SIGTERM');
  // a hang guard, not the contract: the old producer waited for kafkajs's retries to run out
  const guard = setTimeout(() => running.child.kill('SIGKILL'), 120_000);
  const stopped = assertSecretNotPrinted(await running.done.finally(() => clearTimeout(guard)), secretKey);
  fake.setFaults({});
  const [halted] = await executionsOf(db, days[command]);
  if (!halted) throw new Error(`no execution of ${command}`);
  return { stopped, halted };
}

/** Exit 4, SHUTDOWN_DEADLINE_EXCEEDED, within its own deadline; STOPPED after page 5 with exactly pages 1-5 checkpointed and in the topic. */
async function expectStoppedAtTheDeadline(command: 'produce' | 'replay', stopped: CliRun, halted: ExecutionRow): Promise<void> {
  // documented: exit 4 (transient, a rerun resumes); SHUTDOWN_DEADLINE_EXCEEDED when pages in flight were given up
  expect(stopped.code, stopped.stderr.slice(-3000)).toBe(4);
  expect(stopped.stderr).toContain('settle: SHUTDOWN_DEADLINE_EXCEEDED:');
  // within its own deadline, as the process measured it from the signal
  const [shutdown, ...more] = logLines(stopped, 'shutdown');
  expect(more).toEqual([]);
  expect(shutdown).toMatchObject({ command, code: 'SHUTDOWN_DEADLINE_EXCEEDED', deadlineMs: SHUTDOWN_TIMEOUT_MS, withinDeadline: true });
  expect(shutdown?.tookMs).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_MS);

  // the checkpoint is exactly the acknowledged pages: 1-5, which are exactly the pages in the topic
  expect(halted).toMatchObject({ status: 'STOPPED', last_page: HELD - 1, pages: HELD - 1, rows_published: (HELD - 1) * PAGE });
  expect(halted.last_error).toMatch(/page\(s\) 6(, 7)? .*not checkpointed/);
  expect(await checkpointedPages(halted.id)).toEqual([1, 2, 3, 4, 5]);
  const published = await readSettlements(topics[command]);
  expect(published).toHaveLength((HELD - 1) * PAGE);
  expect(new Set(published.map((r) => Number(r.headers['settle-page'])))).toEqual(new Set([1, 2, 3, 4, 5]));
}

/** After the rerun: the resumed execution completed the window and the topic holds every row of it exactly once. */
async function expectEveryRowOnce(command: 'produce' | 'replay', halted: ExecutionRow): Promise<void> {
  const [, done, ...others] = await executionsOf(db, days[command]);
  expect(others).toEqual([]);
  expect(done).toMatchObject({ status: 'COMPLETED', resumed_from: halted.id, last_page: 15 });
  const keys = (await readSettlements(topics[command])).map((r) => r.value.transactionKey);
  expect(keys).toHaveLength(rowsOf[command].length);
  expect(new Set(keys)).toEqual(new Set(rowsOf[command].map((r) => r.transactionKey)));
}

describe('stopped (SIGTERM) while Kafka is unreachable', () => {
  it('settle produce exits 4 (SHUTDOWN_DEADLINE_EXCEEDED) within its own deadline, checkpoints exactly the acknowledged pages, and a rerun publishes every row once', async () => {
    const { stopped, halted } = await stopWhileKafkaIsGone('produce');
    await expectStoppedAtTheDeadline('produce', stopped, halted);
    // the broker is back: the rerun resumes after page 5
    const rerun = assertSecretNotPrinted(
      await runSettle(argsOf.produce, { ...env, SETTLEMENT_TOPIC: topics.produce, KAFKA_BROKERS: stack.brokers }),
      secretKey,
    );
    expect(rerun.code, rerun.stderr.slice(-3000)).toBe(0);
    expect(rerun.stdout).toContain(`resumed after page ${HELD - 1}`);
    await expectEveryRowOnce('produce', halted);
  });

  it('settle replay keeps the same discipline: exit 4 within its deadline, STOPPED after the acknowledged pages, and its rerun resumes there', async () => {
    const { stopped, halted } = await stopWhileKafkaIsGone('replay');
    await expectStoppedAtTheDeadline('replay', stopped, halted);
    const rerun = assertSecretNotPrinted(await runSettle(argsOf.replay, { ...env, SETTLEMENT_TOPIC: topics.replay, KAFKA_BROKERS: stack.brokers }), secretKey);
    expect(rerun.code, rerun.stderr.slice(-3000)).toBe(0);
    expect(rerun.stdout).toMatch(/^COMPLETED replay execution \d+/m);
    await expectEveryRowOnce('replay', halted);
  });
});
