import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { JobSummary } from '../src/application/settlement/run-settlement-job.js';
import { validateSettlement } from '../src/domain/settlement/validate-settlement.js';
import { loadConfig } from '../src/infrastructure/config/config.js';
import { createBenchTopics } from './bench-topics.js';
import { createKafka } from '../src/infrastructure/kafka/kafka-client.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { MIGRATIONS_DIR, migrate } from '../src/infrastructure/mysql/migrator.js';
import { MySqlSettlementPartitions } from '../src/infrastructure/mysql/mysql-settlement-partitions.js';
import { planEnsure } from '../src/domain/settlement/settlement-partitions.js';
import { LocalDate } from '../src/domain/calendar/local-date.js';
import { ALL_COLUMNS, toSettlementRow } from '../src/infrastructure/mysql/settlement-row.js';
import type { ConsumeSummary } from '../src/presentation/consumer/consume-summary.js';
import { addStageTimes, perRow, stageTimes, type CpuProfile, type StageTimes } from './cpu-profile-stages.js';
import { consumerReady, lastJson, listenerPid, machineBusyMs, processCpuMs, startChild, waitFor, type Child } from './e2e-children.js';
import { PREFILL_DAYS, prefill } from './e2e-prefill.js';
import { RAW_METHODS, runRawMethods, type RawMethod, type RawMethodResult } from './e2e-raw-db.js';
import { computeReport, formatReport, type E2eMeasurements } from './e2e-report.js';
import { partitionFootprint, poolReads, serverCpuMs, serverSettings, TenthsTracker } from './e2e-day.js';
import { startFastTossFake, tossPages } from '../test/support/toss-fake.js';
import { brokerAddress, unreachable, urlAddress } from './stack-check.js';
import { benchArgs } from './bench-args.js';

/**
 * `npm run bench [-- --rows N --table-rows N --json ...]`: one settlement day end to end, with the real
 * commands as a shell user runs them. A fresh database (migrated) and topic; optionally a table pre-filled
 * with --table-rows rows of earlier days; the fast Toss fake serving N rows with realistic keys; the built
 * `settle consume` started (long-running, as the pod runs it) and awaited until its /readyz says ready; then
 * `settle produce` for the fake's sold date (with --shards N: N processes `settle produce --shards N --shard I`,
 * I = 0 … N-1, started together on the same window and fake, as a Kubernetes Indexed Job runs them). The clock runs from the fake's first request until MySQL holds
 * all N rows, detected by polling the consumer's stored offsets (SUM(next_offset) in consumer_offsets, written
 * in the same transaction as the rows; cheap, unlike COUNT(*) over millions) every 250 ms; COUNT(*) then
 * checks that exactly N rows arrived. Then the consumer gets SIGTERM. The machine's limit is measured on
 * a second database prepared the same way (e2e-raw-db.ts). Leaves nothing behind unless --keep.
 */
const args = benchArgs('npm run bench --', {
  // the default answers in about a minute; a day's figures take --day-rows, the machine's limit --raw-methods all
  rows: { type: 'string', default: '500000' },
  // a whole settlement day: --rows N without the raw MySQL loads (unless --raw-methods names them); the report's
  // tenths, partition bytes per row and server settings are what it is for (they are printed on every run)
  'day-rows': { type: 'string' },
  'table-rows': { type: 'string', default: '0' },
  'page-size': { type: 'string', default: '5000' },
  partitions: { type: 'string', default: '6' },
  // the producers' scheduling priority (nice(1)), 0 = the same as the consumer's and the servers'
  'producer-nice': { type: 'string', default: '0' },
  shards: { type: 'string', default: '1' }, // producer workers: N processes `settle produce --shards N --shard I`
  concurrency: { type: 'string' }, // TOSS_CONCURRENCY of the producer (its default when absent)
  'consumer-concurrency': { type: 'string' }, // CONSUMER_CONCURRENCY (its default when absent)
  env: { type: 'string', multiple: true, default: [] }, // KEY=VALUE for both children, e.g. MYSQL_POOL_SIZE=8
  'raw-methods': { type: 'string', default: '' }, // the raw MySQL loads to measure: all, or a list of loadData,storeUpsert,insertSelect (default: none)
  'raw-batch-rows': { type: 'string', default: '2000' },
  // separate: a second database migrated and pre-filled like the measured one (same state; the pre-fill runs
  // twice, in parallel); same: the measured database after the run (no second pre-fill; starts N rows bigger)
  'raw-db': { type: 'string', default: 'separate' },
  'sold-date': { type: 'string', default: '2025-02-03' },
  // apply the migrations up to this version only (e.g. 0040: the table before the partitioned redesign), for before/after figures
  'migrations-through': { type: 'string' },
  profile: { type: 'string' },
  backlog: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
});

const whole = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${v}"`);
  return n;
};
const dayRows = args['day-rows'] === undefined ? null : whole('day-rows', args['day-rows'], 10);
const rows = dayRows ?? whole('rows', args.rows, 1);
const tableRows = whole('table-rows', args['table-rows'], 0);
const pageSize = whole('page-size', args['page-size'], 1);
const partitions = whole('partitions', args.partitions, 1);
const shards = whole('shards', args.shards, 1);
const producerNice = whole('producer-nice', args['producer-nice'], 0);
if (producerNice > 19) throw new Error(`--producer-nice must be 0..19 (nice(1)'s range), got ${producerNice}`);
const rawBatchRows = whole('raw-batch-rows', args['raw-batch-rows'], 1);
const soldDate = args['sold-date'];
const rawMethods = (args['raw-methods'] === 'all' ? [...RAW_METHODS] : args['raw-methods'].split(',').filter(Boolean)) as RawMethod[];
for (const m of rawMethods) if (!RAW_METHODS.includes(m)) throw new Error(`--raw-methods: unknown method "${m}" (${RAW_METHODS.join(', ')})`);
const extraEnv = Object.fromEntries(
  (args.env ?? []).map((kv) => {
    const at = kv.indexOf('=');
    if (at < 1) throw new Error(`--env wants KEY=VALUE, got "${kv}"`);
    return [kv.slice(0, at), kv.slice(at + 1)];
  }),
);
const rawDb = args['raw-db'];
if (rawDb !== 'separate' && rawDb !== 'same') throw new Error(`--raw-db must be separate or same, got "${rawDb}"`);
const backlog = args.backlog;
const profileDir = args.profile ? resolve(args.profile) : null;
const migrationsThrough = args['migrations-through'];
if (migrationsThrough !== undefined && !/^\d{4}$/.test(migrationsThrough))
  throw new Error(`--migrations-through wants a 4-digit migration version such as 0040, got "${migrationsThrough}"`);

const id = randomBytes(4).toString('hex');
const database = `settle_bench_${id}`;
const rawDatabase = `settle_bench_${id}_raw`;
const topic = `bench.settlements.${id}`;
const group = `bench-${id}`;
const secretKey = `test_sk_bench_${id}`;
const base = new URL(process.env.MYSQL_URL ?? 'mysql://settle:settle-local@127.0.0.1:3307/settle');
const dbUrl = (name: string) => Object.assign(new URL(base), { pathname: `/${name}` }).toString();
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const logLevel = process.env.LOG_LEVEL ?? 'warn';
const logger = createLogger(logLevel, { pretty: false });
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

const cleanups: Array<() => Promise<unknown>> = [];
const children: Child[] = [];
const interrupted = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    say(`${sig}: stopping`);
    interrupted.abort();
    for (const c of children) if (c.running()) c.process.kill('SIGTERM');
  });

/** The environment of a child: what a shell user sets, and nothing of ours (no NODE_OPTIONS heap flags). */
function childEnv(own: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    KAFKA_BROKERS: brokers,
    SCHEMA_REGISTRY_URL: registryUrl,
    MYSQL_URL: dbUrl(database),
    SETTLEMENT_TOPIC: topic,
    LOG_LEVEL: logLevel,
    ...own,
    ...extraEnv,
  };
  if (profileDir) env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${profileDir}`;
  return env;
}

async function scalar(conn: Connection, sql: string, params: unknown[] = []): Promise<number> {
  const [r] = await conn.query<RowDataPacket[]>(sql, params);
  return Number(Object.values(r[0] ?? {})[0] ?? 0);
}

async function createDatabase(admin: Connection, name: string): Promise<void> {
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  cleanups.push(() => (args.keep ? Promise.resolve() : admin.query(`DROP DATABASE IF EXISTS \`${name}\``)));
  await admin.query(`USE \`${name}\``);
  await migrate(admin, logger, MIGRATIONS_DIR, migrationsThrough === undefined ? undefined : Number(migrationsThrough));
  // as in production, where `settle produce` (or a daily `settle db partitions ensure`) created each past day's
  // partition before its rows arrived: the pre-filled days and the window get daily partitions now
  const partitions = new MySqlSettlementPartitions(admin);
  const existing = await partitions.list();
  if (existing.length > 0)
    await partitions.add(planEnsure(existing, [{ from: LocalDate.parse(soldDate).addDays(-PREFILL_DAYS), through: LocalDate.parse(soldDate) }]).add);
}

function profileStages(dir: string, of: readonly Child[], rowsDone: number) {
  const pids = new Set(of.flatMap((c) => c.pids()).map(String));
  let sum: StageTimes | null = null;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    if (!pids.has(f.split('.')[3] ?? '')) continue; // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
    const t = stageTimes(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
    sum = sum ? addStageTimes(sum, t) : t;
  }
  return sum ? perRow(sum, rowsDone) : null;
}

async function main(): Promise<number> {
  const down = await unreachable([
    { name: 'Kafka', ...brokerAddress(brokers) },
    { name: 'the schema registry', ...urlAddress(registryUrl) },
    { name: 'MySQL', ...urlAddress(base.toString()) },
  ]);
  if (down) {
    say(down);
    return 2;
  }
  const admin = await mysql.createConnection({ uri: base.toString(), multipleStatements: true });
  cleanups.push(() => admin.end());
  const work = mkdtempSync(join(tmpdir(), 'settle-bench-'));
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  await createDatabase(admin, database);
  const separateRaw = rawMethods.length > 0 && rawDb === 'separate';
  if (separateRaw) await createDatabase(admin, rawDatabase);
  const config = loadConfig(
    { KAFKA_BROKERS: brokers, SCHEMA_REGISTRY_URL: registryUrl, MYSQL_URL: dbUrl(database), SETTLEMENT_TOPIC: topic, LOG_LEVEL: logLevel },
    ['kafka', 'registry', 'mysql'],
  );
  const kafka = createKafka(config.kafka, logger, '-bench');
  const removeTopics = await createBenchTopics(kafka, topic, partitions, registryUrl);
  cleanups.push(async () => {
    if (!args.keep) await removeTopics();
  });

  // the pre-fill: a realistic row as the store writes it, repeated with MD5 keys over the 60 days before the window
  const pages = (salt: number) => tossPages({ rows, pageSize, soldDate, realisticKeys: true, keySalt: salt });
  const sample = validateSettlement(pages(0).templates[0]?.rows[0]);
  if (!sample.ok) throw new Error('generated row rejected');
  const templateRow = Object.fromEntries(
    ALL_COLUMNS.map((c, i) => [c, toSettlementRow(sample.value, { topic, partition: 0, offset: 0, timestamp: 0 })[i] ?? null]),
  );
  let prefillSeconds = 0;
  if (tableRows > 0) {
    const dbs = separateRaw ? [database, rawDatabase] : [database];
    say(`pre-filling settlements of ${dbs.join(' and ')} with ${tableRows} rows${dbs.length > 1 ? ' each, in parallel' : ''}`);
    const t0 = performance.now();
    const results = await Promise.all(
      dbs.map(async (db) => {
        const conn = await mysql.createConnection({ uri: dbUrl(db) });
        try {
          return await prefill(conn, db, tableRows, soldDate, templateRow, db === database ? say : () => undefined);
        } finally {
          await conn.end();
        }
      }),
    );
    prefillSeconds = (performance.now() - t0) / 1000;
    for (const [i, p] of results.entries())
      say(
        `  ${dbs[i] ?? ''}: ${p.seconds.toFixed(1)} s (insert ${p.fillSeconds.toFixed(1)} s, indexes ${p.indexes.join(', ') || 'none'} rebuilt in ${p.indexSeconds.toFixed(1)} s)`,
      );
  }
  await admin.query(`USE \`${database}\``);
  const tableRowsBefore = await scalar(admin, 'SELECT COUNT(*) FROM settlements');

  const fake = await startFastTossFake({ rows, pageSize, secretKey, soldDate, realisticKeys: true, keySalt: 0 });
  cleanups.push(() => fake.close());
  say(
    `${rows} rows in ${fake.pages} pages of ${pageSize}; topic ${topic} (${partitions} partitions); table holds ${tableRowsBefore} rows${shards > 1 ? `; ${shards} producer workers` : ''}`,
  );

  const stderr = (name: string) => (line: string) => line.trim() && process.stderr.write(`[${name}] ${line}\n`);
  const startConsumer = async (): Promise<Child> => {
    const consumerEnv = childEnv({
      CONSUMER_GROUP: group,
      METRICS_PORT: '0',
      ...(args['consumer-concurrency'] ? { CONSUMER_CONCURRENCY: args['consumer-concurrency'] } : {}),
    });
    const started = startChild('consume', ['consume', '--json'], consumerEnv, stderr('consume'));
    children.push(started);
    cleanups.push(async () => {
      if (started.running()) started.process.kill('SIGKILL');
    });
    const ready = await waitFor('the consumer to be ready (/readyz)', () => consumerReady(started), {
      everyMs: 100,
      child: started,
      signal: interrupted.signal,
      timeoutMs: 180_000,
    });
    say(`consumer ready (${ready}/readyz)${backlog ? '; loading the backlog' : '; producing'}`);
    return started;
  };
  // --backlog: the whole day is in Kafka before the consumer starts, so the tenths time the load alone (in
  // production the producers run in pods of their own, not on the database's cores)
  let consumer = backlog ? null : await startConsumer();

  const serverCpuAtStart = await serverCpuMs(admin);
  // the rest of the machine over the same window: the broker (when local), this process (the fake), every core
  const brokerPid = listenerPid(brokerAddress(brokers).port);
  const kafkaCpuAtStart = brokerPid === null ? null : processCpuMs(brokerPid);
  const benchCpuAtStart = process.cpuUsage();
  const machineAtStart = machineBusyMs();
  // one process per worker, all at once on the same window (one worker: exactly the command without --shards)
  const producers = Array.from({ length: shards }, (_, shard) => {
    const name = shards === 1 ? 'produce' : `produce ${shard}/${shards}`;
    const producer = startChild(
      name,
      [
        'produce',
        '--from',
        soldDate,
        '--to',
        soldDate,
        '--json',
        '--max-pages',
        String(fake.pages + 1),
        ...(shards > 1 ? ['--shards', String(shards), '--shard', String(shard)] : []),
      ],
      childEnv({
        TOSS_API_BASE_URL: fake.url,
        TOSS_SECRET_KEY: secretKey,
        TOSS_PAGE_SIZE: String(pageSize),
        ...(args.concurrency ? { TOSS_CONCURRENCY: args.concurrency } : {}),
      }),
      stderr(name),
      producerNice,
    );
    children.push(producer);
    cleanups.push(async () => {
      if (producer.running()) producer.process.kill('SIGKILL');
    });
    return producer;
  });

  if (backlog) {
    for (const producer of producers) {
      const code = await producer.exited;
      if (code !== 0) throw new Error(`settle ${producer.name} exited ${String(code)}`);
    }
    say(`all ${rows} rows in Kafka; starting the consumer`);
    consumer = await startConsumer();
  }
  if (consumer === null) throw new Error('no consumer started');
  const producerFailed = () => {
    const failed = producers.find((p) => p.exitCode() !== null && p.exitCode() !== 0);
    return failed ? `settle ${failed.name} exited ${String(failed.exitCode())}` : null;
  };
  const stored = await mysql.createConnection({ uri: dbUrl(database) });
  cleanups.push(() => stored.end());
  let lastReport = performance.now();
  const tenths = rows >= 10 ? new TenthsTracker(rows) : null;
  let endedAt = await waitFor(
    'all rows in MySQL',
    async () => {
      const done = await scalar(stored, 'SELECT COALESCE(SUM(next_offset), 0) FROM consumer_offsets WHERE group_id = ? AND topic = ?', [group, topic]);
      const now = performance.now();
      tenths?.observe(now, Math.min(done, rows), await poolReads(stored), machineBusyMs());
      if (done >= rows) return now;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        say(`  ${done} rows stored`);
      }
      return null;
    },
    { everyMs: 250, child: consumer, failed: producerFailed, signal: interrupted.signal, timeoutMs: 6 * 3600_000 },
  );
  for (const producer of producers) {
    const producerCode = await producer.exited;
    if (producerCode !== 0) throw new Error(`settle ${producer.name} exited ${String(producerCode)}`);
  }
  // a page published twice (a send retried after a timeout) leaves more records than rows: then "all stored" is
  // the topic's end, not N records
  const admin2 = kafka.admin();
  await admin2.connect();
  const published = await admin2.fetchTopicOffsets(topic).finally(() => admin2.disconnect());
  const records = published.reduce((sum, p) => sum + Number(p.high), 0);
  if (records > rows) {
    say(`the topic holds ${records} records for ${rows} rows (pages published twice); waiting for all of them`);
    endedAt = await waitFor(
      'all records stored',
      async () =>
        (await scalar(stored, 'SELECT COALESCE(SUM(next_offset), 0) FROM consumer_offsets WHERE group_id = ? AND topic = ?', [group, topic])) >= records
          ? performance.now()
          : null,
      {
        everyMs: 250,
        child: consumer,
        signal: interrupted.signal,
        timeoutMs: 3600_000,
      },
    );
  }
  const serverCpuAtEnd = await serverCpuMs(stored);
  const kafkaCpuAtEnd = brokerPid === null ? null : processCpuMs(brokerPid);
  const benchCpu = process.cpuUsage(benchCpuAtStart);
  const machineAtEnd = machineBusyMs();
  const startedAt = fake.firstRequestAt() ?? endedAt;
  const e2eSeconds = (endedAt - startedAt) / 1000;
  say(`all ${rows} rows stored after ${e2eSeconds.toFixed(1)} s; stopping the consumer`);

  const produced = producers.map((p) => lastJson<JobSummary & { peakRssMb?: number; cpuMs?: number }>(p.stdout()));
  consumer.process.kill('SIGTERM');
  const consumerCode = await consumer.exited;
  if (consumerCode !== 0) throw new Error(`settle consume exited ${String(consumerCode)} after SIGTERM`);
  const consumed = lastJson<ConsumeSummary>(consumer.stdout());
  if (produced.some((p) => p === null) || !consumed) throw new Error('a child printed no JSON summary');

  const newRows = await scalar(stored, 'SELECT COUNT(*) FROM settlements WHERE sold_date = ?', [soldDate]);
  const total = await scalar(stored, 'SELECT COUNT(*) FROM settlements');
  if (newRows !== rows || total !== tableRowsBefore + rows)
    throw new Error(`expected ${rows} new rows, MySQL holds ${newRows} of ${soldDate} and ${total} in all (${tableRowsBefore} before)`);
  const server = await serverSettings(stored);
  // before the raw loads: the partition as the pipeline left it
  const footprint = await partitionFootprint(stored, database, soldDate, newRows).catch((e: unknown) => {
    say(`partition footprint not measured: ${(e as Error).message}`);
    return null;
  });

  let raw: RawMethodResult[] = [];
  if (rawMethods.length > 0) {
    const rawUrl = dbUrl(separateRaw ? rawDatabase : database);
    const rawConfig = loadConfig({ MYSQL_URL: rawUrl }, ['mysql']);
    raw = await runRawMethods({
      mysql: rawConfig.mysql,
      rawUrl,
      pagesFor: pages,
      tsvPath: (m) => join(work, `${m}.tsv`),
      concurrency: Number(args['consumer-concurrency'] ?? 3),
      batchRows: rawBatchRows,
      methods: rawMethods,
      say,
    });
    for (const r of raw) say(`  ${r.method}: ${r.rowsPerSec} rows/s (${r.seconds} s, table held ${r.tableRowsBefore} rows)`);
  }

  const profile = profileDir
    ? Object.fromEntries(
        [
          ['produce', profileStages(profileDir, producers, rows)],
          ['consume', profileStages(profileDir, [consumer], rows)],
        ].filter((e): e is [string, NonNullable<ReturnType<typeof profileStages>>] => e[1] !== null),
      )
    : undefined;
  const m: E2eMeasurements = {
    rows,
    e2eSeconds,
    producers: producers.map((p, i) => {
      const s = produced[i] as JobSummary & { peakRssMb?: number; cpuMs?: number };
      const exactPeakRssMb = typeof s.peakRssMb === 'number' ? s.peakRssMb : null;
      return {
        rowsPublished: s.counts.rowsPublished,
        durationMs: s.durationMs,
        peakRssKb: p.peakKb(),
        exactPeakRssMb,
        cpuMs: typeof s.cpuMs === 'number' ? s.cpuMs : null,
      };
    }),
    consumer: {
      records: consumed.records,
      rowsPerSecond: consumed.rowsPerSecond,
      busyMs: consumed.busyMs,
      peakRssKb: consumer.peakKb(),
      exactPeakRssMb: typeof consumed.peakRssMb === 'number' ? consumed.peakRssMb : null,
      cpuMs: typeof consumed.cpuMs === 'number' ? consumed.cpuMs : null,
    },
    server,
    serverCpuMs: serverCpuAtStart === null || serverCpuAtEnd === null ? null : serverCpuAtEnd - serverCpuAtStart,
    kafkaCpuMs: kafkaCpuAtStart === null || kafkaCpuAtEnd === null ? null : kafkaCpuAtEnd - kafkaCpuAtStart,
    benchCpuMs: (benchCpu.user + benchCpu.system) / 1000,
    machine:
      machineAtStart === null || machineAtEnd === null
        ? null
        : {
            busyMs: machineAtEnd.busyMs - machineAtStart.busyMs,
            stealMs: machineAtEnd.stealMs - machineAtStart.stealMs,
            elapsedMs: machineAtEnd.atMs - machineAtStart.atMs,
            cores: machineAtEnd.cores,
          },
    tenths: tenths?.tenths() ?? [],
    footprint,
    raw,
    tableRowsBefore,
    prefillSeconds,
    settings: {
      pageSize,
      partitions,
      shards,
      producerNice,
      tableRows,
      dayRows,
      backlog,
      soldDate,
      tossConcurrency: args.concurrency ?? null,
      consumerConcurrency: args['consumer-concurrency'] ?? null,
      env: Object.keys(extraEnv).length > 0 ? JSON.stringify(extraEnv) : null,
      rawBatchRows,
      rawDb,
      profile: profileDir,
      node: process.version,
    },
    ...(profile ? { profile } : {}),
  };
  const report = computeReport(m);
  process.stdout.write(formatReport(report));
  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  code = interrupted.signal.aborted ? 130 : 1;
} finally {
  for (const c of children) if (c.running()) c.process.kill('SIGTERM');
  // a child stopped by SIGTERM gets 30 s to wind down (and write its profile) before the cleanups SIGKILL it
  await Promise.race([Promise.all(children.map((c) => c.exited)), new Promise((r) => setTimeout(r, 30_000).unref())]);
  for (const c of cleanups.reverse()) await c().catch((e: unknown) => say(`cleanup: ${(e as Error).message}`));
  logger.flush();
}
process.exitCode = code;
setTimeout(() => process.exit(code), 100).unref();
