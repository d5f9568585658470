import type { Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settlement } from '../../src/domain/settlement/settlement.js';
import { validateSettlement } from '../../src/domain/settlement/validate-settlement.js';
import { readSettlementSchema, SettlementSerde, subjectFor } from '../../src/infrastructure/kafka/settlement-serde.js';
import { withRows } from './support/dataset.js';
import { deleteSubject, registerSchema, setCompatibility, versionsOf } from './support/registry-rest.js';
import { Scenario, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';
import { landedAt, readAll, recordsIn, suiteKafka } from './support/topic-records.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;

const DLQ_CODE = 'settle-dlq-error-code';
/** A schema id no registry of the suite has handed out (ids count up from 1). */
const UNKNOWN_SCHEMA_ID = 2_000_000_007;

interface Poison {
  readonly what: string;
  readonly value: Buffer | null;
  readonly code: string;
}

const wire = (schemaId: number, body: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
};

const POISON: readonly Poison[] = [
  { what: 'JSON text', value: Buffer.from('{"transactionKey":"POISON-1","amount":1000}'), code: 'NOT_CONFLUENT_WIRE_FORMAT' },
  { what: 'plain text', value: Buffer.from('not avro at all'), code: 'NOT_CONFLUENT_WIRE_FORMAT' },
  { what: 'magic 0 and too short for a schema id', value: Buffer.from([0, 0, 1]), code: 'NOT_CONFLUENT_WIRE_FORMAT' },
  { what: 'magic byte 1', value: Buffer.concat([Buffer.from([1, 0, 0, 0, 1]), Buffer.from('body')]), code: 'NOT_CONFLUENT_WIRE_FORMAT' },
  { what: 'unknown schema id', value: wire(UNKNOWN_SCHEMA_ID, Buffer.from([2, 4, 6, 8])), code: 'UNKNOWN_SCHEMA_ID' },
  { what: 'unknown schema id, empty body', value: wire(UNKNOWN_SCHEMA_ID + 1, Buffer.alloc(0)), code: 'UNKNOWN_SCHEMA_ID' },
  { what: 'unknown schema id, Avro-looking body', value: wire(UNKNOWN_SCHEMA_ID, Buffer.from('0a48656c6c6f', 'hex')), code: 'UNKNOWN_SCHEMA_ID' },
  { what: 'tombstone', value: null, code: 'EMPTY_VALUE' },
];

/** The local schema with one more field, optional: nullable with a null default (a BACKWARD compatible evolution). */
function evolvedSchema(): string {
  const schema = JSON.parse(readSettlementSchema()) as { fields: unknown[] };
  return JSON.stringify({
    ...schema,
    fields: [...schema.fields, { name: 'merchantTier', type: ['null', 'string'], default: null, doc: 'Added in v2 (test).' }],
  });
}

describe('faults 8: poison records and schema evolution', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => ctx?.close());

  it('8a: non-Avro bytes, unknown schema ids and a tombstone produced onto the topic mid-load go to <topic>.dlq; every real row lands', async () => {
    const s = new Scenario('8a poison records mid-load', ctx);
    await s.setup();
    const kafka = suiteKafka('fault-suite-poison');
    const consumer = s.startConsumer();
    const producing = s.produceUntilDone();
    const landed: Array<{ partition: number; offset: number; poison: Poison }> = [];
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await s.injectAt(
        `${POISON.length} poison records`,
        () => s.storedRecords(),
        Math.floor(s.expected.rows * 0.3),
        s.expected.rows,
        async () => {
          for (const [i, poison] of POISON.entries()) {
            const message: Message = { key: `poison-${i}`, value: poison.value, headers: { 'poison-case': poison.what } };
            landed.push({ ...landedAt(await producer.send({ topic: s.topic, acks: -1, messages: [{ ...message, partition: i % 6 }] })), poison });
          }
        },
      );
    } finally {
      await producer.disconnect();
    }
    s.ownRecords += POISON.length;
    expect(await producing).toEqual([0]);
    await waitFor('the consumer to catch up past the poison', () => s.caughtUp(), 600_000, 500);

    // exactly the poison, once each (no crash here), with the original record and why
    const dlq = `${s.topic}.dlq`;
    expect(await recordsIn(kafka, dlq)).toBe(POISON.length);
    const letters = await readAll(kafka, dlq);
    const original = (r: (typeof letters)[number]) =>
      landed.find((l) => String(l.partition) === r.headers['settle-dlq-original-partition'] && String(l.offset) === r.headers['settle-dlq-original-offset']);
    for (const letter of letters) {
      const l = original(letter);
      expect(l, `a dead letter of no poison record: ${JSON.stringify(letter.headers)}`).toBeDefined();
      expect(letter.headers[DLQ_CODE], l?.poison.what).toBe(l?.poison.code);
      expect(letter.headers['settle-dlq-original-topic']).toBe(s.topic);
      expect(letter.headers['poison-case']).toBe(l?.poison.what);
      expect(letter.value?.length ?? 0).toBe(l?.poison.value?.length ?? 0);
      if (l?.poison.value) expect(letter.value?.equals(l.poison.value)).toBe(true);
    }
    expect(new Set(letters.map((r) => `${r.headers['settle-dlq-original-partition']}:${r.headers['settle-dlq-original-offset']}`)).size).toBe(POISON.length);
    const codes: Record<string, number> = {};
    for (const r of letters) codes[r.headers[DLQ_CODE] ?? '?'] = (codes[r.headers[DLQ_CODE] ?? '?'] ?? 0) + 1;
    expect(codes).toEqual({ NOT_CONFLUENT_WIRE_FORMAT: 4, UNKNOWN_SCHEMA_ID: 3, EMPTY_VALUE: 1 });
    expect(consumer.restarts).toBe(0);
    const result = await s.finish(
      `DLQ ${Object.entries(codes)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')}`,
    );
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });

  it('8c: an incompatible first version under the subject: produce refuses before fetching any page, publishes nothing; with the subject fixed a rerun publishes everything', async () => {
    // two refused runs are the scenario's own, then the run that publishes
    const s = new Scenario('8c incompatible schema in the registry', ctx, { reruns: 2 });
    await s.setup();
    const kafka = suiteKafka('fault-suite-incompatible');
    const subject = subjectFor(s.topic);
    // another team got there first: a one-field record the settlement schema cannot read (no defaults to fill)
    await registerSchema(
      subject,
      JSON.stringify({ type: 'record', name: 'Settlement', namespace: 'io.settle.toss.v1', fields: [{ name: 'settlementId', type: 'string' }] }),
    );
    const consumer = s.startConsumer();
    const nothingPublished = async () => {
      expect(await recordsIn(kafka, s.topic)).toBe(0);
      expect(await recordsIn(kafka, `${s.topic}.rejects`)).toBe(0);
      expect(await s.query('SELECT id FROM job_executions')).toEqual([]);
      expect(await versionsOf(subject)).toEqual([1]);
    };

    // 1. the subject has no level of its own: the registry's default (NONE) is not the BACKWARD settle registers under
    let requests = ctx.toss.requests.length;
    const level = await s.settle(s.produceArgs());
    expect(level.code, level.stderr.slice(-2000)).toBe(2);
    expect(level.stderr).toMatch(/settle: SCHEMA_COMPATIBILITY_LEVEL: .*BACKWARD/);
    expect(ctx.toss.requests.length, 'no Toss page fetched').toBe(requests);
    await nothingPublished();

    // 2. with the subject on BACKWARD, the registry refuses the settlement schema as a next version (409)
    await setCompatibility(subject, 'BACKWARD');
    requests = ctx.toss.requests.length;
    const refused = await s.settle(s.produceArgs());
    expect(refused.code, refused.stderr.slice(-2000)).toBe(3);
    expect(refused.stderr).toMatch(/settle: SCHEMA_INCOMPATIBLE: could not register the settlement schema under .*-value/);
    expect(ctx.toss.requests.length, 'no Toss page fetched').toBe(requests);
    await nothingPublished();
    s.note('subject held an incompatible v1: produce exit 2 (level NONE), then exit 3 (409 on BACKWARD), 0 pages fetched, 0 records');

    // 3. the mistaken registration removed, the window publishes as usual
    await deleteSubject(subject);
    const codes = await s.produceUntilDone();
    expect(codes).toEqual([0]);
    expect(await versionsOf(subject)).toEqual([1]);
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    expect(await recordsIn(kafka, `${s.topic}.dlq`)).toBe(0);
    expect(consumer.restarts).toBe(0);
    const result = await s.finish(`produce exits ${level.code},${refused.code}, then ${codes.join(',')} once the subject was removed`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });
});

describe('faults 8b: a newer schema version while an older consumer runs', () => {
  // its own Toss: the rows the newer producer writes are added to Toss's window for good
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => ctx?.close());

  it('8b: records written with v2 (an added optional field) load with the older reader; nothing is dead-lettered', async () => {
    const s = new Scenario('8b schema v2 (added optional field)', ctx);
    await s.setup();
    const kafka = suiteKafka('fault-suite-evolution');
    const subject = subjectFor(s.topic);
    const consumer = s.startConsumer();
    expect(await s.produceUntilDone()).toEqual([0]);
    const [execution] = await s.query<{ id: number }>("SELECT id FROM job_executions WHERE status = 'COMPLETED'");
    expect(execution).toBeDefined();
    const v1 = await versionsOf(subject);
    expect(v1).toEqual([1]);

    // a newer producer build: registers v2 under the subject and writes rows Toss added to the window with it
    const v2Id = await registerSchema(subject, evolvedSchema());
    expect(await versionsOf(subject)).toEqual([1, 2]);
    const rows = [...ctx.dataset.rekeyed(7, 'EV07'), ...ctx.dataset.rekeyed(41, 'EV41')];
    const settlements = rows.map((raw) => {
      const v = validateSettlement(raw);
      if (!v.ok) throw new Error(`fixture: ${v.rejection.reason}`);
      return v.value;
    });
    // half of them carry a value in the new field, half leave it to its default
    const withTier = settlements.map((r, i) => (i % 2 === 0 ? ({ ...r, merchantTier: 'GOLD' } as Settlement) : r));
    const values = SettlementSerde.withSchemaId(v2Id, evolvedSchema()).encodeBatch(withTier);
    const messages: Message[] = values.map((value, i) => {
      if (!Buffer.isBuffer(value)) throw new Error(`fixture: ${value.unfit}`);
      // stamped like the product's records, as the window's completed execution (reconcile compares those)
      return { key: settlements[i]?.paymentKey ?? null, value, headers: { 'settle-execution-id': String(execution?.id), 'settle-page': 'v2' } };
    });
    ctx.toss.appendRows(rows);
    s.expected = withRows(ctx.expected, rows);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: s.topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
    s.note(`${rows.length} rows written with schema v2 (id ${v2Id}, +merchantTier) after v1's ${ctx.expected.rows}`);

    await waitFor('the consumer to load the v2 records', () => s.caughtUp(), 600_000, 500);
    const [loaded] = await s.query<{ n: number }>("SELECT COUNT(*) AS n FROM settlements WHERE transaction_key LIKE 'EV%'");
    expect(Number(loaded?.n)).toBe(rows.length);
    expect(await recordsIn(kafka, `${s.topic}.dlq`)).toBe(0);
    expect(consumer.restarts).toBe(0);
    const result = await s.finish(`v2 rows loaded ${rows.length}, dead-lettered 0`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });
});
