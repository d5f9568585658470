import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { loadConfig } from '../src/infrastructure/config/config.js';
import { createKafka } from '../src/infrastructure/kafka/kafka-client.js';
import { createSchemaRegistry, SettlementSerde } from '../src/infrastructure/kafka/settlement-serde.js';
import { ensureTopics, settlementTopics } from '../src/infrastructure/kafka/topic-admin.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { migrate } from '../src/infrastructure/mysql/migrator.js';
import type { ConsumeSummary } from '../src/presentation/consumer/consume-summary.js';
import { preloadSettlements } from './bench-preload.js';
import { rawBaseline } from './raw-baseline.js';
import { SETTLE_BIN } from './e2e-children.js';
import { benchArgs } from './bench-args.js';

/**
 * `npm run bench:consume [-- --records N --partitions P --concurrency C]`:
 * preloads N records into a fresh topic, runs the built `settle consume --until-idle` as a child (its own
 * peak RSS), then inserts the same rows through the same store without Kafka (the raw baseline), and prints
 * rows/s of both and their ratio. Uses the local stack (or KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MYSQL_URL).
 */
const RAW_BATCH_ROWS = 2_000; // rows per raw-baseline transaction, about one Kafka fetch of a partition
const args = benchArgs('npm run bench:consume --', {
  records: { type: 'string', default: '1000000' },
  partitions: { type: 'string', default: '6' },
  concurrency: { type: 'string', default: '3' },
  json: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  // NODE_OPTIONS of the child; '' = none: bin/settle.js then applies its own heap defaults for `consume`
  'node-options': { type: 'string', default: '' },
});
const records = Number(args.records);
const partitions = Number(args.partitions);
const concurrency = Number(args.concurrency);
const id = randomBytes(4).toString('hex');
const base = new URL(process.env.MYSQL_URL ?? 'mysql://settle:settle-local@127.0.0.1:3307/settle');
const dbUrl = (name: string) => Object.assign(new URL(base), { pathname: `/${name}` }).toString();
const env: Record<string, string> = {
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  MYSQL_URL: dbUrl(`settle_bench_${id}`),
  SETTLEMENT_TOPIC: `bench.settlements.${id}`,
  CONSUMER_GROUP: `bench-${id}`,
  CONSUMER_CONCURRENCY: String(concurrency),
  METRICS_PORT: '0',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
const config = loadConfig(env, ['kafka', 'registry', 'mysql']);
const logger = createLogger(env.LOG_LEVEL ?? 'warn', { pretty: false });
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const databases = [`settle_bench_${id}`, `settle_bench_${id}_raw`];

async function main(): Promise<void> {
  const root = await mysql.createConnection({ uri: base.toString(), multipleStatements: true });
  try {
    for (const db of databases) {
      await root.query(`CREATE DATABASE \`${db}\``);
      const conn = await mysql.createConnection({ uri: dbUrl(db), multipleStatements: true });
      await migrate(conn, logger);
      await conn.end();
    }
    const kafka = createKafka(config.kafka, logger, '-bench');
    await ensureTopics(kafka, settlementTopics(config.kafka.topic, partitions));
    const serde = await SettlementSerde.register(createSchemaRegistry(config.registry), config.kafka.topic);
    say(`preloading ${records} records into ${config.kafka.topic} (${partitions} partitions)`);
    const tLoad = performance.now();
    await preloadSettlements(kafka, serde, config.kafka.topic, records, `b${id}`, (n) => n % 100_000 === 0 && say(`  ${n} published`));
    say(`preloaded in ${((performance.now() - tLoad) / 1000).toFixed(1)} s; consuming with concurrency ${concurrency}`);

    const consumed = await consumeChild();
    const [count] = await root.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`settle_bench_${id}\`.settlements`);
    if (Number(count[0]?.n) !== records) throw new Error(`expected ${records} rows after consuming, found ${String(count[0]?.n)}`);

    say('raw baseline: the same rows through the same INSERT path, no Kafka');
    const rawCpu = process.cpuUsage();
    const raw = await rawBaseline(
      { ...config.mysql, url: loadConfig({ ...env, MYSQL_URL: dbUrl(databases[1] ?? '') }, ['mysql']).mysql.url },
      records,
      `b${id}`,
      concurrency,
      RAW_BATCH_ROWS,
    );
    const rawCpuUs = process.cpuUsage(rawCpu);
    const rawRate = Math.round((raw.rows * 1000) / raw.ms);
    const wallRate = Math.round((consumed.records * 1000) / consumed.durationMs);
    const report = {
      records,
      partitions,
      concurrency,
      consumeRowsPerSecond: consumed.rowsPerSecond,
      consumeRowsPerSecondWall: wallRate,
      consumeBusyMs: consumed.busyMs,
      consumeWallMs: consumed.durationMs,
      consumePeakRssMb: consumed.peakRssMb,
      // Node CPU per record: on a machine shared with mysqld, what each side takes from the database's cores
      consumeCpuUsPerRow: Number(((consumed.cpuMs * 1000) / consumed.records).toFixed(1)),
      rawRowsPerSecond: rawRate,
      rawMs: Math.round(raw.ms),
      rawCpuUsPerRow: Number(((rawCpuUs.user + rawCpuUs.system) / raw.rows).toFixed(1)),
      ratio: Number((consumed.rowsPerSecond / rawRate).toFixed(2)),
      consumerNodeOptions: args['node-options'] ?? '',
    };
    if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else
      process.stdout.write(
        `consume → MySQL: ${report.consumeRowsPerSecond} rows/s from the first batch to the last (${report.consumeRowsPerSecondWall} rows/s wall, incl. start and group join); ` +
          `${report.consumeCpuUsPerRow} µs Node CPU/row (whole process); peak RSS ${report.consumePeakRssMb} MB (NODE_OPTIONS="${report.consumerNodeOptions}")\n` +
          `raw baseline:    ${report.rawRowsPerSecond} rows/s; ${report.rawCpuUsPerRow} µs Node CPU/row (same rows and store, ${concurrency} connections, ${RAW_BATCH_ROWS}-row transactions, no Kafka, no decoding)\n` +
          `ratio:           ${report.ratio} (consume rows/s ÷ raw rows/s; goal ≥ 0.7, ≥ 40,000 rows/s, RSS ≤ 300 MB)\n`,
      );
  } finally {
    if (!args.keep) {
      for (const db of databases) await root.query(`DROP DATABASE IF EXISTS \`${db}\``);
      const admin = createKafka(config.kafka, logger, '-bench').admin();
      await admin.connect();
      await admin.deleteTopics({ topics: settlementTopics(config.kafka.topic, 1).map((t) => t.topic) }).catch(() => undefined);
      await admin.disconnect();
    }
    await root.end();
  }
}

function consumeChild(): Promise<ConsumeSummary> {
  return new Promise((resolve, reject) => {
    const nodeOptions = args['node-options'] ? { NODE_OPTIONS: args['node-options'] } : {};
    const child = spawn(process.execPath, [SETTLE_BIN, 'consume', '--until-idle', '--json'], {
      env: { PATH: process.env.PATH ?? '', ...env, ...nodeOptions },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ConsumeSummary) : reject(new Error(`settle consume exited ${String(code)}`))));
  });
}

await main().catch((error: unknown) => {
  say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
