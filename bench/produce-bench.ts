import { randomBytes } from 'node:crypto';
import { wireSettlementJob } from '../src/composition/settlement-job.js';
import { settlementWindow } from '../src/domain/settlement/settlement-window.js';
import { loadConfig } from '../src/infrastructure/config/config.js';
import { Secret } from '../src/infrastructure/config/secret.js';
import { createBenchTopics } from './bench-topics.js';
import { createKafka } from '../src/infrastructure/kafka/kafka-client.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { migrate } from '../src/infrastructure/mysql/migrator.js';
import { createMySqlConnection } from '../src/infrastructure/mysql/mysql-pool.js';
import { startFastTossFake } from '../test/support/toss-fake.js';
import { benchArgs } from './bench-args.js';

/**
 * `npm run bench:produce [-- --rows N --concurrency C]`: the real producer wiring (Toss client, prefetching
 * reader, Avro publisher, MySQL job repository) against an in-process fast Toss fake, into a fresh topic of
 * the local broker. Prints rows/s API → Kafka and peak RSS. Leaves nothing behind unless --keep.
 */
const args = benchArgs('npm run bench:produce --', {
  rows: { type: 'string', default: '1000000' },
  concurrency: { type: 'string', default: '4' },
  'page-size': { type: 'string', default: '5000' },
  partitions: { type: 'string', default: '6' },
  keep: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
});

const positive = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, got "${v}"`);
  return n;
};
const rows = positive('rows', args.rows);
const concurrency = positive('concurrency', args.concurrency);
const pageSize = positive('page-size', args['page-size']);
const partitions = positive('partitions', args.partitions);

const env = process.env;
const brokers = env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const registryUrl = env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const mysqlUrl = new URL(env.MYSQL_URL ?? 'mysql://settle:settle-local@127.0.0.1:3307/settle');
const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const topic = `settle.bench.${suffix}`;
const database = `settle_bench_${suffix}`;
const secretKey = `test_sk_bench_${suffix}`;
const soldDate = '2025-02-03';
const logger = createLogger(env.LOG_LEVEL ?? 'warn');
const log = (line: string) => process.stderr.write(`${line}\n`);
const mb = (kb: number) => Math.round(kb / 1024);

const fake = await startFastTossFake({ rows, pageSize, secretKey, soldDate });
const cleanups: Array<() => Promise<unknown>> = [() => fake.close()];
let exitCode = 0;
try {
  const admin = await createMySqlConnection({ url: new Secret(mysqlUrl.toString()), tls: null }, { multipleStatements: true });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.query(`USE \`${database}\``);
  await migrate(admin, logger);
  cleanups.push(async () => {
    if (!args.keep) await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  });
  const dbUrl = new URL(mysqlUrl);
  dbUrl.pathname = `/${database}`;

  const config = loadConfig(
    {
      TOSS_API_BASE_URL: fake.url,
      TOSS_SECRET_KEY: secretKey,
      TOSS_PAGE_SIZE: String(pageSize),
      TOSS_CONCURRENCY: String(concurrency),
      KAFKA_BROKERS: brokers,
      SCHEMA_REGISTRY_URL: registryUrl,
      MYSQL_URL: dbUrl.toString(),
      SETTLEMENT_TOPIC: topic,
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    },
    ['toss', 'kafka', 'registry', 'mysql'],
  );
  const kafka = createKafka(config.kafka, logger, '-bench');
  const removeTopics = await createBenchTopics(kafka, topic, partitions, registryUrl);
  cleanups.push(async () => {
    if (!args.keep) await removeTopics();
  });

  log(`bench: ${rows} rows in ${fake.pages} pages of ${pageSize}, concurrency ${concurrency}, topic ${topic} (${partitions} partitions)`);
  const wired = await wireSettlementJob(config, logger, { dryRun: false, concurrency });
  const peak = { heapTotal: 0, external: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal);
    peak.external = Math.max(peak.external, m.external);
  }, 100);
  cleanups.push(async () => clearInterval(sampler));
  const started = performance.now();
  const summary = await wired.value.run({ window: settlementWindow(soldDate, soldDate, 'soldDate'), pageSize }).finally(() => wired.close());
  const seconds = (performance.now() - started) / 1000;

  const offsets = await (async () => {
    const a = kafka.admin();
    await a.connect();
    try {
      return (await a.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    } finally {
      await a.disconnect();
    }
  })();
  const result = {
    rows,
    pages: summary.counts.pages,
    published: summary.counts.rowsPublished,
    recordsInTopic: offsets,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(summary.counts.rowsPublished / seconds),
    peakRssMb: mb(process.resourceUsage().maxRSS),
    peakHeapMb: Math.round(peak.heapTotal / 2 ** 20),
    peakExternalMb: Math.round(peak.external / 2 ** 20),
    concurrency,
    pageSize,
    partitions,
  };
  if (result.published !== rows || result.recordsInTopic !== rows) exitCode = 1;
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(`rows/s API → Kafka: ${result.rowsPerSecond} (${result.published} rows in ${result.seconds} s, ${result.pages} pages)\n`);
    process.stdout.write(`peak RSS: ${result.peakRssMb} MB (V8 heap ${result.peakHeapMb} MB, buffers ${result.peakExternalMb} MB)\n`);
    process.stdout.write(`records in topic: ${result.recordsInTopic}${exitCode ? ' (MISMATCH)' : ''}\n`);
  }
} catch (error) {
  exitCode = 1;
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  for (const c of cleanups.reverse()) await c().catch((e: unknown) => log(`cleanup: ${(e as Error).message}`));
  logger.flush();
}
process.exitCode = exitCode;
setTimeout(() => process.exit(exitCode), 100).unref();
