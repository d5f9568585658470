import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Kafka, Message, Producer } from 'kafkajs';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { type Config, loadConfig } from '../../../src/infrastructure/config/config.js';
import { createKafka } from '../../../src/infrastructure/kafka/kafka-client.js';
import { createSchemaRegistry, SettlementSerde } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { ensureTopics, settlementTopics } from '../../../src/infrastructure/kafka/topic-admin.js';
import { createLogger, type Logger } from '../../../src/infrastructure/logging/logger.js';
import { migrate } from '../../../src/infrastructure/mysql/migrator.js';

const BIN = fileURLToPath(new URL('../../../bin/settle.js', import.meta.url));
const BASE_MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://settle:settle-local@127.0.0.1:3307/settle';

export interface SettlementRow extends RowDataPacket {
  transaction_key: string;
  amount: number;
  pay_out_amount: number;
  details: string;
  source_partition: number;
  source_offset: number;
  source_timestamp: number;
}

/** One test file's private world: a topic (+ DLQ), a group, a registry subject and a database, all unique. */
export class ConsumerFixture {
  private producer: Producer | null = null;
  private constructor(
    readonly id: string,
    readonly env: Record<string, string>,
    readonly config: Config,
    readonly kafka: Kafka,
    readonly serde: SettlementSerde,
    readonly db: Connection,
    readonly logger: Logger,
  ) {}

  static async create(name: string, partitions = 3): Promise<ConsumerFixture> {
    const id = `${name}_${randomBytes(4).toString('hex')}`;
    const dbUrl = new URL(BASE_MYSQL_URL);
    dbUrl.pathname = `/settle_it_${id}`;
    const env = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
      MYSQL_URL: dbUrl.toString(),
      SETTLEMENT_TOPIC: `it.settlements.${id}`,
      SETTLEMENT_TOPIC_PARTITIONS: String(partitions),
      CONSUMER_GROUP: `it-loader-${id}`,
      METRICS_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    };
    const config = loadConfig(env, ['kafka', 'registry', 'mysql']);
    const logger = createLogger(env.LOG_LEVEL, { pretty: false });
    const root = await mysql.createConnection({ uri: BASE_MYSQL_URL, multipleStatements: true });
    await root.query(`CREATE DATABASE \`settle_it_${id}\``);
    await root.end();
    const db = await mysql.createConnection({ uri: dbUrl.toString(), multipleStatements: true, dateStrings: true, supportBigNumbers: true });
    await migrate(db, logger);
    const kafka = createKafka(config.kafka, logger, '-it');
    await ensureTopics(kafka, settlementTopics(config.kafka.topic, partitions));
    const serde = await SettlementSerde.register(createSchemaRegistry(config.registry), config.kafka.topic);
    return new ConsumerFixture(id, env, config, kafka, serde, db, logger);
  }

  get topic(): string {
    return this.config.kafka.topic;
  }
  get group(): string {
    return this.config.consumer.groupId;
  }

  /** Raw messages (already encoded or deliberately broken) to the settlements topic. */
  async send(messages: Message[], topic = this.topic): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await this.producer.send({ topic, acks: -1, messages });
  }

  /** Settlements encoded through the registry, keyed by paymentKey like the real producer. */
  async produce(settlements: readonly Settlement[]): Promise<void> {
    const messages = await Promise.all(settlements.map(async (s) => ({ key: s.paymentKey, value: await this.serde.encode(s) })));
    for (let i = 0; i < messages.length; i += 500) await this.send(messages.slice(i, i + 500));
  }

  async rows(): Promise<SettlementRow[]> {
    const [rows] = await this.db.query<SettlementRow[]>('SELECT * FROM settlements ORDER BY transaction_key');
    return rows;
  }

  async count(): Promise<number> {
    const [rows] = await this.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM settlements');
    return Number(rows[0]?.n);
  }

  async storedOffsets(): Promise<Map<number, number>> {
    const [rows] = await this.db.query<RowDataPacket[]>('SELECT kafka_partition, next_offset FROM consumer_offsets WHERE group_id = ? AND topic = ?', [
      this.group,
      this.topic,
    ]);
    return new Map(rows.map((r) => [Number(r.kafka_partition), Number(r.next_offset)]));
  }

  async highWatermarks(topic = this.topic): Promise<Map<number, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
    } finally {
      await admin.disconnect();
    }
  }

  /** Runs the built binary (`npx tsc -p tsconfig.build.json` first) with this fixture's environment. */
  spawnSettle(
    args: string[],
    extraEnv: Record<string, string> = {},
  ): ChildProcess & { output: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const output = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
      child.on('exit', (code, signal) => setImmediate(() => resolve({ code, signal, stdout, stderr }))),
    );
    return Object.assign(child, { output });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    await this.db.query(`DROP DATABASE IF EXISTS \`settle_it_${this.id}\``);
    await this.db.end();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: settlementTopics(this.topic, 1).map((s) => s.topic) }).catch(() => undefined);
    await admin.disconnect();
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Sessions of `database` blocked on a row lock (InnoDB's view). Poll it at most every ~200 ms: InnoDB refreshes
 * its INNODB_TRX cache only after 100 ms without a read, so faster polling keeps reading a stale snapshot.
 */
export async function lockWaits(db: Connection, database: string): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM information_schema.innodb_trx t JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id WHERE p.db = ? AND t.trx_state = 'LOCK WAIT'",
    [database],
  );
  return Number(rows[0]?.n);
}
