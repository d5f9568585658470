import { describe, expect, it } from 'vitest';
import { createIngestBatch, type IngestBatchDeps, type IngestInput } from '../../../src/application/ingest/ingest-batch.js';
import type { IncomingRecord, StoreBatch } from '../../../src/application/ingest/ports.js';
import { abortableSleep } from '../../../src/application/shared/retry.js';
import type { Settlement, SettlementRuleFields } from '../../../src/domain/settlement/settlement.js';
import { SETTLEMENT_RULE_FIELDS } from '../../../src/domain/settlement/validate-settlement.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { InMemorySettlementStore, JsonDecoder, RecordingDeadLetterSink, transient } from './fakes.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const record = (offset: number, value: Buffer | null, timestamp = 1_000 + offset): IncomingRecord => ({
  offset,
  timestamp,
  key: Buffer.from('k'),
  value,
  headers: { trace: 'abc' },
});
const batchOf = (records: IncomingRecord[], partition = 0): IngestInput => ({
  group: 'g',
  topic: 't',
  partition,
  records,
  nextOffset: (records.at(-1)?.offset ?? -1) + 1,
});

function setup(overrides: Partial<IngestBatchDeps> = {}) {
  const store = new InMemorySettlementStore();
  const dlq = new RecordingDeadLetterSink();
  const decoder = new JsonDecoder();
  const sleeps: number[] = [];
  let heartbeats = 0;
  const ingest = createIngestBatch({
    decoder,
    store,
    deadLetters: dlq,
    maxRetries: 3,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
    ...overrides,
  });
  const control = { heartbeat: async () => void (heartbeats += 1) };
  return { store, dlq, decoder, sleeps, ingest, control, heartbeats: () => heartbeats };
}

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => record(from + i, json(syntheticSettlement(from + i, 'ut'))));

describe('ingestBatch', () => {
  it('stores every valid record and the next offset, counting inserts', async () => {
    const { store, ingest, control } = setup();
    const outcome = await ingest(batchOf(rows(5)), control);
    expect(outcome).toMatchObject({ records: 5, inserted: 5, updated: 0, unchanged: 0, deadLettered: 0, retries: 0, nextOffset: 5 });
    expect(store.rows.size).toBe(5);
    expect(store.offsets.get('g/t/0')).toBe(5);
  });

  it('leaves one row per record with identical values when the same records are delivered twice', async () => {
    const { store, ingest, control } = setup();
    await ingest(batchOf(rows(4)), control);
    const before = structuredClone([...store.rows]);
    const again = await ingest(batchOf(rows(4)), control);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
    expect([...store.rows]).toEqual(before);
  });

  it('lets a later record replace the row but never an older replay', async () => {
    const { store, ingest, control } = setup();
    const v1 = record(0, json(syntheticSettlement(1, 'ut', 0)), 1_000);
    const v2 = record(1, json(syntheticSettlement(1, 'ut', 1)), 2_000);
    expect(await ingest(batchOf([v1, v2]), control)).toMatchObject({ inserted: 1, updated: 1 });
    expect(await ingest(batchOf([v1]), control)).toMatchObject({ unchanged: 1 });
    expect(store.rows.get(syntheticSettlement(1, 'ut').transactionKey)?.settlement.amount).toBe(syntheticSettlement(1, 'ut', 1).amount);
  });

  it('sends poison records to the DLQ with their reason and moves the partition past them', async () => {
    const { store, dlq, ingest, control } = setup();
    const invalid = { ...syntheticSettlement(2, 'ut'), payOutAmount: 1 };
    const impossibleTime = { ...syntheticSettlement(3, 'ut'), approvedAt: '2025-02-30T10:00:00+09:00' };
    const input = batchOf([record(10, Buffer.from('garbage')), record(11, json(invalid)), record(12, null), record(13, json(impossibleTime)), ...rows(1, 14)]);
    const outcome = await ingest(input, control);
    expect(outcome).toMatchObject({
      records: 5,
      inserted: 1,
      deadLettered: 4,
      deadLetterCodes: { NOT_CONFLUENT_WIRE_FORMAT: 1, SETTLEMENT_INVALID: 2, EMPTY_VALUE: 1 },
    });
    expect(dlq.letters.map((l) => [l.record.offset, l.code])).toEqual([
      [10, 'NOT_CONFLUENT_WIRE_FORMAT'],
      [11, 'SETTLEMENT_INVALID'],
      [12, 'EMPTY_VALUE'],
      [13, 'SETTLEMENT_INVALID'],
    ]);
    expect(dlq.letters[1]?.message).toMatch(/^payOutAmount: /);
    expect(dlq.letters[0]?.record.value?.toString()).toBe('garbage'); // original bytes kept for a redrive
    expect(store.offsets.get('g/t/0')).toBe(15);
  });

  it('classifies the same way, in log order, with a decoder that answers synchronously (a loaded writer schema)', async () => {
    const async = new JsonDecoder();
    const decoder = { decode: (value: Buffer) => (value.toString() === 'garbage' ? async.decode(value) : (JSON.parse(value.toString()) as Settlement)) };
    const { store, dlq, ingest, control } = setup({ decoder });
    const invalid = { ...syntheticSettlement(2, 'ut'), payOutAmount: 1 };
    const input = batchOf([...rows(1, 9), record(10, Buffer.from('garbage')), record(11, json(invalid)), ...rows(2, 12)]);
    const outcome = await ingest(input, control);
    expect(outcome).toMatchObject({ records: 5, inserted: 3, deadLettered: 2 });
    expect(dlq.letters.map((l) => [l.record.offset, l.code])).toEqual([
      [10, 'NOT_CONFLUENT_WIRE_FORMAT'],
      [11, 'SETTLEMENT_INVALID'],
    ]);
    expect(store.offsets.get('g/t/0')).toBe(14);
  });

  it("hands the store a record's value (for writing its row from the bytes) exactly when the decoder says the bytes are in the reader's layout", async () => {
    const inner = new JsonDecoder();
    const readerLayout = new Set<Buffer>();
    const decoder = { decode: (value: Buffer) => inner.decode(value), inReaderLayout: (value: Buffer) => readerLayout.has(value) };
    const { store, ingest, control } = setup({ decoder });
    const seen: StoreBatch[] = [];
    const applyBatch = store.applyBatch.bind(store);
    store.applyBatch = (batch) => {
      seen.push(batch);
      return applyBatch(batch);
    };
    const input = batchOf(rows(4, 20));
    for (const r of [input.records[1], input.records[3]]) readerLayout.add(r?.value as Buffer);
    expect(await ingest(input, control)).toMatchObject({ records: 4, inserted: 4 });
    const stored = seen[0]?.records ?? [];
    expect(stored.map((r) => r.value)).toEqual([undefined, input.records[1]?.value, undefined, input.records[3]?.value]);
    expect(stored[1]?.value).toBe(input.records[1]?.value); // the record's own bytes, not a copy
    expect(stored.map((r) => r.approvedAtMs)).toEqual(stored.map((r) => Date.parse(r.settlement.approvedAt)));
  });

  it('checks a record the decoder reads by its rule fields alone, decodes it whole only when the store reads its settlement, and poisons it by the same rules', async () => {
    const decoded: number[] = [];
    // the rule fields of the record, and nothing else: a rule that read another field would find it missing
    const ruleFields = (value: Buffer) => {
      const s = JSON.parse(value.toString()) as Settlement;
      return Object.fromEntries(SETTLEMENT_RULE_FIELDS.map(({ field }) => [field, s[field]])) as unknown as SettlementRuleFields;
    };
    const decoder = {
      decode: (value: Buffer) => {
        decoded.push((JSON.parse(value.toString()) as { offsetMark?: number }).offsetMark ?? -1);
        return JSON.parse(value.toString()) as Settlement;
      },
      // every record but the one at offset 33 is in the reader's layout
      decodeRuleFields: (value: Buffer) => ((JSON.parse(value.toString()) as { offsetMark?: number }).offsetMark === 33 ? null : ruleFields(value)),
      inReaderLayout: () => true,
    };
    const { store, dlq, ingest, control } = setup({ decoder });
    const seen: StoreBatch[] = [];
    store.applyBatch = async (batch) => {
      seen.push(batch);
      return { inserted: batch.records.length, updated: 0, unchanged: 0 };
    };
    const mark = (offset: number, s: Settlement) => record(offset, json({ ...s, offsetMark: offset }));
    const unknown = { ...syntheticSettlement(31, 'ut'), unknownFields: JSON.stringify({ 'card.newFlag': true }) };
    const input = batchOf([
      mark(30, syntheticSettlement(30, 'ut')),
      mark(31, unknown),
      mark(32, { ...syntheticSettlement(32, 'ut'), payOutAmount: 1 }),
      mark(33, syntheticSettlement(33, 'ut')),
      mark(34, { ...syntheticSettlement(34, 'ut'), approvedAt: '2025-02-30T06:58:32+09:00' }),
    ]);
    const outcome = await ingest(input, control);
    expect(outcome).toMatchObject({ records: 5, inserted: 3, deadLettered: 2, unknownFields: { 'card.newFlag': 1 } });
    expect(dlq.letters.map((l) => [l.record.offset, l.code, l.message])).toEqual([
      [32, 'SETTLEMENT_INVALID', expect.stringMatching(/^payOutAmount: /) as unknown],
      [34, 'SETTLEMENT_INVALID', expect.stringMatching(/^approvedAt: /) as unknown],
    ]);
    expect(decoded).toEqual([33]); // only the record outside the reader's layout was decoded whole while checking
    const stored = seen[0]?.records ?? [];
    expect(stored.map((r) => [r.offset, r.transactionKey ?? null, r.value === input.records.find((i) => i.offset === r.offset)?.value])).toEqual([
      [30, syntheticSettlement(30, 'ut').transactionKey, true],
      [31, syntheticSettlement(31, 'ut').transactionKey, true],
      [33, null, true],
    ]);
    expect(stored.map((r) => r.approvedAtMs)).toEqual([30, 31, 33].map((i) => Date.parse(syntheticSettlement(i, 'ut').approvedAt)));
    // reading the settlement of a rule-checked record decodes its value then, once
    expect(stored[0]?.settlement).toEqual({ ...syntheticSettlement(30, 'ut'), offsetMark: 30 });
    expect(stored[0]?.settlement).toBe(stored[0]?.settlement);
    expect(decoded).toEqual([33, 30]);
  });

  it('stores the offset of a batch made only of poison records', async () => {
    const { store, ingest, control } = setup();
    await ingest(batchOf([record(7, Buffer.from('garbage'))]), control);
    expect(store.offsets.get('g/t/0')).toBe(8);
    expect(store.rows.size).toBe(0);
  });

  it('retries transient store failures with backoff, heartbeating between attempts, and loses nothing', async () => {
    const { store, sleeps, ingest, control, heartbeats } = setup();
    store.failures = [transient(), transient('MYSQL_ER_LOCK_DEADLOCK')];
    const outcome = await ingest(batchOf(rows(3)), control);
    expect(outcome).toMatchObject({ inserted: 3, retries: 2 });
    expect(sleeps).toEqual([200, 400]);
    expect(heartbeats()).toBe(4);
    expect(store.rows.size).toBe(3);
  });

  it('stops with INGEST_RETRIES_EXHAUSTED past the limit instead of skipping the batch', async () => {
    const { store, ingest, control } = setup();
    store.failures = [transient(), transient(), transient(), transient()];
    const error = await ingest(batchOf(rows(2)), control).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettleError);
    expect(error).toMatchObject({ code: 'INGEST_RETRIES_EXHAUSTED', category: 'transient', details: { step: 'store', code: 'MYSQL_ER_LOCK_WAIT_TIMEOUT' } });
    expect(store.calls).toBe(4);
    expect(store.offsets.size).toBe(0);
  });

  it('does not retry a permanent failure', async () => {
    const { store, ingest, control } = setup();
    const permanent = new SettleError('MYSQL_SCHEMA_MISSING', 'no table');
    store.failures = [permanent];
    await expect(ingest(batchOf(rows(1)), control)).rejects.toBe(permanent);
    expect(store.calls).toBe(1);
  });

  it('abandons a batch waiting to retry when the consumer stops', async () => {
    const controller = new AbortController();
    // SIGTERM arrives while the batch waits for its next attempt
    const { store, ingest } = setup({ sleep: (ms, signal) => (controller.abort(), abortableSleep(ms, signal)) });
    store.failures = [transient()];
    const error = await ingest(batchOf(rows(1)), { heartbeat: async () => {}, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INGEST_ABORTED' });
    expect(store.offsets.size).toBe(0);
  });

  it('retries decoding while the schema registry is down instead of dead-lettering good records', async () => {
    const { decoder, dlq, store, ingest, control } = setup();
    decoder.failures = [new SettleError('SCHEMA_REGISTRY_FAILED', 'registry unavailable')];
    expect(await ingest(batchOf(rows(2)), control)).toMatchObject({ inserted: 2, deadLettered: 0, retries: 1 });
    expect(dlq.letters).toEqual([]);
    expect(store.rows.size).toBe(2);
  });

  it('writes dead letters before the offset moves, retrying a DLQ outage', async () => {
    const { dlq, store, ingest, control } = setup();
    dlq.failures = [new SettleError('DLQ_PUBLISH_FAILED', 'broker down')];
    await ingest(batchOf([record(0, Buffer.from('garbage'))]), control);
    expect(dlq.letters).toHaveLength(1);
    expect(store.offsets.get('g/t/0')).toBe(1);
    dlq.failures = [transient('DLQ_PUBLISH_FAILED'), transient('DLQ_PUBLISH_FAILED'), transient('DLQ_PUBLISH_FAILED'), transient('DLQ_PUBLISH_FAILED')];
    await expect(ingest(batchOf([record(1, Buffer.from('garbage'))]), control)).rejects.toMatchObject({ code: 'INGEST_RETRIES_EXHAUSTED' });
    expect(store.offsets.get('g/t/0')).toBe(1);
  });
});
