import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADER, REDRIVEN_FROM_HEADER } from '../../../src/infrastructure/kafka/dlq-headers.js';
import { readRanges } from '../../../src/infrastructure/kafka/dlq-reader.js';
import { dlqTopic } from '../../../src/infrastructure/kafka/topic-admin.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { runConsumer } from '../../../src/presentation/consumer/consumer-runner.js';
import { ConsumerFixture } from './consumer-fixture.js';

describe('consume: poison records', () => {
  let fx: ConsumerFixture;
  const consume = () => runConsumer({ config: fx.config, logger: fx.logger, signal: new AbortController().signal, untilIdle: true });
  const readDlq = async () =>
    readRanges(fx.kafka, dlqTopic(fx.topic), new Map([[0, { from: 0, to: (await fx.highWatermarks(dlqTopic(fx.topic))).get(0) ?? 0 }]]));
  const key = 'pk_same_partition'; // one key: every record lands on one partition, in this order
  const poisonTimestamp = '1735689600000';

  beforeAll(async () => {
    fx = await ConsumerFixture.create('poison', 2);
    const encode = (i: number) => fx.serde.encode(syntheticSettlement(i, 'po'));
    const unknownSchema = Buffer.concat([Buffer.from([0]), Buffer.from([0x7f, 0xff, 0xff, 0x00]), Buffer.from('whatever')]);
    const invalid = await fx.serde.encode({ ...syntheticSettlement(3, 'po'), payOutAmount: 1 }); // decodes, fails validation
    await fx.send([
      { key, value: await encode(0) },
      { key, value: Buffer.from('not avro at all'), headers: { 'x-trace': 't-1' }, timestamp: poisonTimestamp },
      { key, value: unknownSchema },
      { key, value: invalid },
      { key, value: await encode(4) },
    ]);
  });
  afterAll(async () => fx?.close());

  it('sends undecodable, unknown-schema and invalid records to the DLQ with headers and moves on', async () => {
    const summary = await consume();
    expect(summary).toMatchObject({ records: 5, inserted: 2, deadLettered: 3 });
    expect((await fx.rows()).map((r) => r.transaction_key)).toEqual([syntheticSettlement(0, 'po').transactionKey, syntheticSettlement(4, 'po').transactionKey]);
    const highs = new Map([...(await fx.highWatermarks())].filter(([, high]) => high > 0));
    expect(await fx.storedOffsets()).toEqual(highs); // the partition continued past them

    const dlq = await readDlq();
    expect(dlq.map((r) => r.info?.errorCode)).toEqual(['NOT_CONFLUENT_WIRE_FORMAT', 'UNKNOWN_SCHEMA_ID', 'SETTLEMENT_INVALID']);
    const [garbage, , invalid] = dlq;
    const partition = garbage?.info?.originalPartition ?? -1;
    expect(garbage?.info).toMatchObject({ originalTopic: fx.topic, originalOffset: 1, originalTimestamp: Number(poisonTimestamp) });
    expect(garbage?.value?.toString()).toBe('not avro at all');
    expect(garbage?.key?.toString()).toBe(key);
    expect(garbage?.headers['x-trace']?.toString()).toBe('t-1');
    expect(garbage?.headers[DLQ_HEADER.deadLetteredAt]?.toString()).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(invalid?.info?.errorMessage).toMatch(/^payOutAmount: /);
    expect((await fx.storedOffsets()).get(partition)).toBe(5);
  });

  it('lists dead letters and redrives a chosen one with its original bytes and timestamp', async () => {
    const list = await fx.spawnSettle(['dlq', 'list', '--json']).output;
    expect(list.code).toBe(0);
    const listed = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { dlqOffset: number; errorCode: string; originalOffset: number });
    expect(listed.map((l) => [l.dlqOffset, l.errorCode, l.originalOffset])).toEqual([
      [0, 'NOT_CONFLUENT_WIRE_FORMAT', 1],
      [1, 'UNKNOWN_SCHEMA_ID', 2],
      [2, 'SETTLEMENT_INVALID', 3],
    ]);

    const dry = await fx.spawnSettle(['dlq', 'redrive', '--offset', '0', '--dry-run']).output;
    expect(dry.stdout).toContain('dry run: 1 record(s) would be re-published');
    const before = await fx.highWatermarks();
    const redrive = await fx.spawnSettle(['dlq', 'redrive', '--offset', '0']).output;
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toContain('re-published 1 record(s)');
    const after = await fx.highWatermarks();
    const [partition] = [...after].find(([p, high]) => high > (before.get(p) ?? 0)) ?? [-1];
    const [redriven] = await readRanges(fx.kafka, fx.topic, new Map([[partition, { from: before.get(partition) ?? 0, to: after.get(partition) ?? 0 }]]));
    expect(redriven?.value?.toString()).toBe('not avro at all');
    expect(redriven?.headers[REDRIVEN_FROM_HEADER]?.toString()).toBe(`${dlqTopic(fx.topic)}:0:0`);
    expect(redriven?.headers[DLQ_HEADER.errorCode]).toBeUndefined();
    // still garbage: consuming it dead-letters it again, with its original timestamp kept
    expect(await consume()).toMatchObject({ records: 1, deadLettered: 1 });
    expect((await readDlq()).at(-1)?.info?.originalTimestamp).toBe(Number(poisonTimestamp));

    const missing = await fx.spawnSettle(['dlq', 'redrive', '--offset', '99']).output;
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('not found: 0:99');
  });
});
