import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchemaRegistry, SettlementSerde, subjectFor } from '../../src/infrastructure/kafka/settlement-serde.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { requireBuild, runSettle, type CliRun } from '../support/producer-cli.js';
import { deleteSubject, deleteTopics, settlementTopicNames, testKafka } from '../support/producer-kafka.js';
import { stack, testSecretKey, uniqueName, withDatabase } from '../support/producer-stack.js';
import { generateSettlementRows, startTossFake, type TossFake, type TossRow } from '../support/toss-fake.js';

const FROM = '2025-03-03';
const TO = '2025-03-04';
/** The settlement schema as it was before unknownFields (version 1 on every registry that ran an earlier release). */
const V1_SCHEMA = readFileSync(new URL('../fixtures/schemas/toss-settlement.v1.avsc', import.meta.url), 'utf8');

/**
 * A field Toss adds without notice, end to end through the built binary: the registry still holds the schema
 * without unknownFields (as after an upgrade), `settle schema check` accepts the new one as BACKWARD compatible,
 * produce counts and warns once per field, and the consumer stores the fields as sent in unknown_fields.
 */
describe('fields Toss sends that the schema does not model', () => {
  const topic = uniqueName('settle_e2e_unknown');
  const database = uniqueName('settle_e2e');
  const group = uniqueName('settle_e2e_loader');
  const secret = testSecretKey();
  const rows: TossRow[] = generateSettlementRows({ count: 8, from: FROM, days: 2, keyPrefix: `U${Date.now().toString(36).toUpperCase()}` });
  // a legacy top-level array on two rows, a new flag on every card object
  const legacy = [{ cancelAmount: 500, canceledAt: '2025-03-03T12:00:00+09:00' }];
  const withCancels = new Set([rows[0]?.transactionKey, rows[5]?.transactionKey]);
  for (const row of rows) {
    if (withCancels.has(row.transactionKey)) row.cancels = legacy;
    if (row.card) row.card = { ...row.card, tossNewFlag: 'Y' };
  }
  const cardRows = rows.filter((r) => r.card).length;
  let fake: TossFake;
  let env: Record<string, string>;
  let admin: mysql.Connection;

  const settle = (...args: string[]): Promise<CliRun> => runSettle(args, env);
  const ok = async (...args: string[]): Promise<CliRun> => {
    const r = await settle(...args);
    expect(r.code, `settle ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };

  beforeAll(async () => {
    requireBuild();
    expect(cardRows).toBeGreaterThan(0);
    fake = await startTossFake({ rows, secretKey: secret });
    admin = await mysql.createConnection({ uri: stack.mysqlUrl });
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    env = {
      TOSS_API_BASE_URL: fake.url,
      TOSS_SECRET_KEY: secret,
      TOSS_PAGE_SIZE: '5',
      KAFKA_BROKERS: stack.brokers,
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      MYSQL_URL: withDatabase(stack.mysqlUrl, database),
      SETTLEMENT_TOPIC: topic,
      SETTLEMENT_TOPIC_PARTITIONS: '2',
      CONSUMER_GROUP: group,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    await ok('db', 'migrate');
    await ok('kafka', 'init');
    // what an earlier release registered
    await SettlementSerde.register(createSchemaRegistry(loadConfig({ SCHEMA_REGISTRY_URL: stack.registryUrl }, ['registry']).registry), topic, V1_SCHEMA);
  });

  afterAll(async () => {
    await fake?.close();
    await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await deleteTopics(settlementTopicNames(topic)).catch(() => undefined);
    await deleteSubject(topic).catch(() => undefined);
    const kafkaAdmin = testKafka().admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.deleteGroups([group]).catch(() => undefined);
    await kafkaAdmin.disconnect();
  });

  it('settle schema check: the schema with unknownFields is a BACKWARD compatible next version of the registered one', async () => {
    const r = await ok('schema', 'check');
    expect(r.stdout).toContain(`BACKWARD compatible with ${subjectFor(topic)} version 1`);
  });

  it('produce publishes every row, counts each unknown field and warns once per field with the fix', async () => {
    const r = await ok('produce', '--from', FROM, '--to', TO, '--json');
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
      counts: { rowsPublished: number; rowsRejected: number };
      unknownFields: Record<string, number>;
    };
    expect(summary.counts).toMatchObject({ rowsPublished: rows.length, rowsRejected: 0 });
    expect(summary.unknownFields).toEqual({ cancels: 2, 'card.tossNewFlag': cardRows });
    const warnings = r.stderr.split('\n').filter((l) => l.includes('does not model'));
    expect(warnings.map((l) => (JSON.parse(l) as { field: string }).field).sort()).toEqual(['cancels', 'card.tossNewFlag']);
    expect(warnings[0]).toContain('evolve schemas/toss-settlement.avsc');
    // the producer registered the new schema as version 2 of the same subject
    const versions = (await (await request(`${stack.registryUrl}/subjects/${subjectFor(topic)}/versions`)).body.json()) as number[];
    expect(versions).toHaveLength(2);
  });

  it('the consumer stores the fields as Toss sent them in unknown_fields, and NULL on rows without any', async () => {
    await ok('consume', '--until-idle');
    const [stored] = await admin.query<mysql.RowDataPacket[]>(`SELECT transaction_key, unknown_fields, details FROM \`${database}\`.settlements`);
    expect(stored).toHaveLength(rows.length);
    for (const row of rows) {
      const s = stored.find((x) => x.transaction_key === row.transactionKey);
      const expected: Record<string, unknown> = {};
      if (withCancels.has(row.transactionKey)) expected.cancels = legacy;
      if (row.card) expected['card.tossNewFlag'] = 'Y';
      if (Object.keys(expected).length === 0) expect(s?.unknown_fields, String(row.transactionKey)).toBeNull();
      else expect(JSON.parse(String(s?.unknown_fields)), String(row.transactionKey)).toEqual(expected);
      // details holds the modelled objects only
      expect(String(s?.details)).not.toContain('tossNewFlag');
    }
  });
});
