import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Message } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { Murmur2Partitioner } from '../../../src/infrastructure/kafka/murmur2-partitioner.js';
import { seededRandom } from '../../support/settlement-row-generator.js';

/**
 * patches/kafkajs+2.2.4.patch (patches/README.md) changes how kafkajs builds its buffers, never which bytes it
 * sends. Proof: a produce request built through the patched code is byte for byte the one unpatched kafkajs 2.2.4
 * built for the same records (its SHA-256 below), and the record batch decodes back through kafkajs's own decoder
 * with a CRC-32C that a bit-at-a-time reference agrees with.
 *
 * To recompute EXPECTED from an unpatched copy: KAFKAJS_DIR=/path/to/unpatched/kafkajs npx vitest run --project unit
 * test/unit/kafka/kafkajs-patches.test.ts (the first test then prints the digest of that copy).
 */
const kafkajsDir = process.env.KAFKAJS_DIR ?? 'kafkajs';
const require = createRequire(import.meta.url);
const load = <T>(path: string): T => require(kafkajsDir === 'kafkajs' ? `kafkajs/${path}` : `${kafkajsDir}/${path}`) as T;

interface EncoderLike {
  buffer: Buffer;
  offset: number;
  size(): number;
  writeVarInt(v: unknown): EncoderLike;
  writeUVarInt(v: unknown): EncoderLike;
  writeVarLong(v: unknown): EncoderLike;
  writeInt8(v: number): EncoderLike;
  writeVarIntBytes(v: unknown): EncoderLike;
  writeVarIntArray(v: EncoderLike[]): EncoderLike;
  writeBuffer(v: Buffer): EncoderLike;
}
type EncoderClass = (new (initialSize?: number) => EncoderLike) & { sizeOfVarLong(v: unknown): number };
const Encoder = load<EncoderClass>('src/protocol/encoder.js');
const Decoder = load<new (b: Buffer) => unknown>('src/protocol/decoder.js');
const produceRequest = load<(args: object) => { encode(): Promise<EncoderLike>; apiKey: number; apiVersion: number }>(
  'src/protocol/requests/produce/v7/request.js',
);
const frame = load<(args: object) => Promise<EncoderLike>>('src/protocol/request.js');
const { RecordBatch } = load<{ RecordBatch: (args: object) => Promise<EncoderLike> }>('src/protocol/recordBatch/v0/index.js');
const Record = load<
  ((args: object) => EncoderLike) & {
    prepare(key: unknown, value: unknown, offsetDelta: number, timestampDelta: number, headersBytes: Buffer): unknown;
    encodeHeaders(headers: object): Buffer;
  }
>('src/protocol/recordBatch/record/v0/index.js');
const decodeRecordBatch = load<(d: unknown) => Promise<{ records: DecodedRecord[] }>>('src/protocol/recordBatch/v0/decoder.js');
type Crc = (b: Buffer) => number;
const crc32C = load<Crc & { javascript: Crc; isNative: boolean }>('src/protocol/recordBatch/crc32C/index.js');
const groupMessagesPerPartition = load<(args: object) => Record<string, Message[]>>('src/producer/groupMessagesPerPartition.js');
const RequestQueue =
  load<new (args: object) => { scheduleCheckPendingRequests(): void; throttleCheckTimeoutId: unknown; destroy(): void }>('src/network/requestQueue/index.js');

interface DecodedRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  offset: string;
  headers: Record<string, Buffer>;
}

/** SHA-256 and length of the produce request below as unpatched kafkajs 2.2.4 encodes it. */
const EXPECTED = { length: 1_242_285, sha256: '81fa05f427fb34117f26a345c5673aa222c7af87c70b4fe08286d77620135719' };

/** ~2,000 records like settle's (32-char keys, ~330-byte values, two headers) plus edge cases for the varints. */
function fixture(): Message[] {
  const next = seededRandom(19); // mulberry32: the same records on every run
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
  const base = 1_738_540_800_000; // 2025-02-03
  const messages: Message[] = [];
  for (let i = 0; i < 2_000; i++) {
    const size = i % 97 === 0 ? 20_000 : i % 13 === 0 ? Math.floor(next() * 130) : 280 + Math.floor(next() * 100);
    messages.push({
      key: i % 251 === 0 ? null : hex(32),
      value: i % 499 === 0 ? null : bytes(size),
      timestamp: String(base + (i % 7 === 0 ? Math.floor(next() * 2 ** 33) : Math.floor(next() * 5_000))),
      headers: { 'settle-execution-id': `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`, 'settle-page': i % 3 === 0 ? Buffer.from(String(i)) : String(i) },
    });
  }
  return messages;
}

async function encodeProduceRequest(messages: Message[]): Promise<Buffer> {
  const perPartition = groupMessagesPerPartition({
    topic: 'settlements',
    partitionMetadata: Array.from({ length: 6 }, (_, partition) => ({ partitionId: partition, leader: 1 })),
    messages,
    partitioner: Murmur2Partitioner(),
  });
  const partitions = Object.keys(perPartition).map((p) => ({ partition: Number(p), firstSequence: 0, messages: perPartition[p] }));
  const request = produceRequest({ acks: -1, timeout: 30_000, compression: 0, topicData: [{ topic: 'settlements', partitions }] });
  return (await frame({ correlationId: 7, clientId: 'settle-producer', request })).buffer;
}

/** CRC-32C one bit at a time (Castagnoli, reflected 0x82f63b78): independent of kafkajs's tables. */
function referenceCrc32C(buffer: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('kafkajs 2.2.4 as patched (patches/kafkajs+2.2.4.patch)', () => {
  it('encodes a produce request byte for byte as unpatched kafkajs does', async () => {
    const encoded = await encodeProduceRequest(fixture());
    const digest = createHash('sha256').update(encoded).digest('hex');
    if (kafkajsDir !== 'kafkajs') console.log(`KAFKAJS_DIR=${kafkajsDir}: length ${encoded.length}, sha256 ${digest}`);
    expect({ length: encoded.length, sha256: digest }).toEqual(EXPECTED);
  });

  it('is the patched kafkajs (npm ci applied patches/)', () => {
    if (kafkajsDir !== 'kafkajs') return;
    const source = (path: string) => String(require('node:fs').readFileSync(require.resolve(`kafkajs/${path}`)));
    for (const path of [
      'src/protocol/encoder.js',
      'src/producer/groupMessagesPerPartition.js',
      'src/protocol/recordBatch/crc32C/crc32C.js',
      'src/protocol/recordBatch/crc32C/index.js',
      'src/network/requestQueue/index.js',
      'src/protocol/recordBatch/record/v0/decoder.js',
      'src/protocol/recordBatch/record/v0/index.js',
      'src/protocol/recordBatch/v0/index.js',
      'src/protocol/request.js',
      'src/protocol/recordBatch/header/v0/index.js',
      'src/protocol/requests/produce/v3/request.js',
      'src/protocol/decoder.js',
      'src/protocol/recordBatch/v0/decoder.js',
      'src/consumer/batch.js',
      'src/network/connection.js',
    ]) {
      expect(source(path), path).toContain('settle patch');
    }
  });

  it('builds a record batch that kafkajs decodes back to the same records, with a correct CRC-32C', async () => {
    const messages = fixture().slice(0, 600);
    const first = Math.min(...messages.map((m) => Number(m.timestamp)));
    const records = messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: Number(m.timestamp) - first }));
    const batch = (await RecordBatch({ records, firstTimestamp: first, maxTimestamp: first, lastOffsetDelta: records.length - 1, firstOffset: 0 })).buffer;
    // FirstOffset int64, Length int32, PartitionLeaderEpoch int32, Magic int8, CRC uint32, then what the CRC covers
    expect(batch.readUInt32BE(17)).toBe(referenceCrc32C(batch.subarray(21)));
    const decoded = await decodeRecordBatch(new Decoder(batch));
    expect(decoded.records).toHaveLength(messages.length);
    decoded.records.forEach((r, i) => {
      const m = messages[i] as Message;
      const asBuffer = (v: Message['value'] | undefined) => (v == null ? null : Buffer.from(v));
      expect(r.key, `key ${i}`).toEqual(asBuffer(m.key));
      expect(r.value, `value ${i}`).toEqual(asBuffer(m.value));
      expect(r.timestamp).toBe(String(m.timestamp));
      expect(r.offset).toBe(String(i));
      expect(Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]))).toEqual(
        Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)])),
      );
    });
  });

  it('encodes records that share one headers object as it encodes records with a copy each (its encoding is shared)', async () => {
    const own = fixture().slice(0, 900);
    // runs of one to four messages share a headers object, as a page's messages share theirs; some have none
    const shared: Message[] = [];
    let headers: Message['headers'];
    own.forEach((m, i) => {
      if (i % 4 === 0 || i % 7 === 0) headers = i % 11 === 0 ? undefined : m.headers;
      shared.push({ ...m, headers });
    });
    const copies = shared.map((m) => ({ ...m, headers: m.headers === undefined ? undefined : { ...m.headers } }));
    expect(new Set(shared.map((m) => m.headers)).size).toBeLessThan(shared.length / 2);
    expect((await encodeProduceRequest(shared)).equals(await encodeProduceRequest(copies))).toBe(true);
  });

  it('compresses prepared records (Record.prepare) as it compresses encoded ones, and decodes them back', async () => {
    const messages = fixture().slice(0, 300);
    const first = Math.min(...messages.map((m) => Number(m.timestamp)));
    const args = messages.map((m, i) => ({ ...m, offsetDelta: i, timestampDelta: Number(m.timestamp) - first }));
    const batchOf = async (records: unknown[]) =>
      (await RecordBatch({ compression: 1, records, firstTimestamp: first, maxTimestamp: first, lastOffsetDelta: records.length - 1, firstOffset: 0 })).buffer;
    const prepared = await batchOf(args.map((a) => Record.prepare(a.key, a.value, a.offsetDelta, a.timestampDelta, Record.encodeHeaders(a.headers ?? {}))));
    expect(prepared.equals(await batchOf(args.map((a) => Record(a))))).toBe(true);
    const decoded = await decodeRecordBatch(new Decoder(prepared));
    expect(decoded.records.map((r) => [r.key, r.value, r.offset])).toEqual(
      messages.map((m, i) => [m.key == null ? null : Buffer.from(m.key), m.value == null ? null : Buffer.from(m.value), String(i)]),
    );
  });

  it('writes a record with its headers in place as kafkajs did with an encoder per header: none, one, repeated keys, UTF-8', () => {
    const Header = load<(h: { key: string; value: unknown }) => EncoderLike>('src/protocol/recordBatch/header/v0/index.js');
    type Headers = Record<string, string | Buffer | Array<string | Buffer>>;
    /** kafkajs 2.2.4's own record/v0/index.js, the way it built a record before the patch. */
    const unpatched = (key: Buffer, value: Buffer, headers: Headers, offsetDelta: number, timestampDelta: number): Buffer => {
      const list = Object.keys(headers).flatMap((k) => {
        const v = headers[k];
        return Array.isArray(v) ? v.map((one) => ({ key: k, value: one })) : [{ key: k, value: v }];
      });
      const record = Record({ key, value, headers, offsetDelta, timestampDelta }).buffer;
      const body = new Encoder();
      body.writeInt8(0).writeVarLong(timestampDelta).writeVarInt(offsetDelta).writeVarIntBytes(key).writeVarIntBytes(value).writeVarIntArray(list.map(Header));
      const framed = (new Encoder() as EncoderLike & Record<string, (...a: unknown[]) => EncoderLike>)
        .writeVarInt(body.buffer.length)
        .writeBuffer(body.buffer).buffer;
      expect(record.equals(framed)).toBe(true);
      return record;
    };
    const key = Buffer.from('k'.repeat(32));
    const value = Buffer.from('v'.repeat(300));
    for (const headers of [{}, { a: 'x' }, { a: ['x', Buffer.from('y')], b: 'z' }, { 한: '값' }] as Headers[])
      expect(unpatched(key, value, headers, 3, 1234).length).toBeGreaterThan(300);
  });

  it('computes CRC-32C as the bit-at-a-time reference does, at every length mod 8, natively and in JavaScript', () => {
    expect(crc32C.isNative).toBe(true); // @node-rs/crc32's binary for this platform was installed
    for (const crc of [crc32C, crc32C.javascript]) {
      expect(crc(Buffer.from('123456789'))).toBe(0xe3069283); // the CRC-32C check value
      for (let length = 0; length < 70; length++) {
        const buffer = randomBytes(length);
        expect(crc(buffer), `length ${length}`).toBe(referenceCrc32C(buffer));
      }
      const big = randomBytes(300_001);
      expect(crc(big)).toBe(referenceCrc32C(big));
      const view = big.subarray(1_001, 200_003); // a view into a larger buffer, as a batch's body is
      expect(crc(view)).toBe(referenceCrc32C(view));
    }
  });

  it('writes varints and varlongs as unpatched kafkajs does (its bytes, recorded)', () => {
    const hex = (e: EncoderLike) => e.buffer.toString('hex');
    // zig-zag varlong: the values' bytes as unpatched kafkajs wrote them
    const varlongs: [number | string, string, number][] = [
      [0, '00', 1],
      [-1, '01', 1],
      [63, '7e', 1],
      [64, '8001', 2],
      [-65, '8101', 2],
      [300, 'd804', 2],
      [2 ** 31 - 1, 'feffffff0f', 5],
      [-(2 ** 31), 'ffffffff0f', 5],
      [8_589_934_591, 'feffffff3f', 5],
      [2 ** 51 - 1, 'feffffffffffff07', 8],
      [-(2 ** 51) + 1, 'fdffffffffffff07', 8],
      [2 ** 52, '8080808080808010', 8], // beyond the patch's fast path: kafkajs's Long path,
      ['12345', 'f2c001', 3],
    ];
    for (const [value, bytes, size] of varlongs) {
      expect(hex(new Encoder().writeVarLong(value)), String(value)).toBe(bytes);
      expect(Encoder.sizeOfVarLong(value), String(value)).toBe(size);
    }
    const varints: [number, string][] = [
      [0, '0000'],
      [-1, '01ffffffff0f'],
      [127, 'fe017f'],
      [128, '80028001'],
      [2 ** 31 - 1, 'feffffff0fffffffff07'],
      [-(2 ** 31), 'ffffffff0f8080808008'],
    ];
    for (const [value, bytes] of varints) expect(hex(new Encoder().writeVarInt(value).writeUVarInt(value)), String(value)).toBe(bytes);
  });

  it('decodes offsets, timestamps and headers as BigInt arithmetic says, on both sides of 2^53 and with repeated header keys', async () => {
    const Long = load<{ fromString(s: string): unknown }>('src/utils/long.js');
    const cases: Array<{ firstOffset: bigint; firstTimestamp: bigint; deltas: number[] }> = [
      { firstOffset: 0n, firstTimestamp: 1_738_540_800_000n, deltas: [0, 1, 5_000, 2 ** 33, -7] },
      // offsets that cross 2^53 inside the batch: the ones beyond take kafkajs's own Long path
      { firstOffset: 2n ** 53n - 3n, firstTimestamp: 2n ** 53n - 2n, deltas: [0, 1, 2, 3, 4] },
      { firstOffset: 2n ** 62n, firstTimestamp: 1_738_540_800_000n, deltas: [0, 2 ** 48, -(2 ** 48), 2 ** 50] },
    ];
    for (const c of cases) {
      const records = c.deltas.map((timestampDelta, i) =>
        Record({ key: `k${i}`, value: `v${i}`, offsetDelta: i * 1_000, timestampDelta, headers: i === 1 ? { a: '1' } : { a: '1', b: '2' } }),
      );
      // two records whose headers repeat a key: kafkajs makes the value an array, in order
      const encoder = Record({ key: 'dup', value: 'x', offsetDelta: 9, timestampDelta: 0, headers: { h: 'first' } });
      records.push(encoder);
      const batch = (
        await RecordBatch({
          records,
          firstTimestamp: Long.fromString(String(c.firstTimestamp)),
          maxTimestamp: Long.fromString(String(c.firstTimestamp)),
          lastOffsetDelta: 9_000,
          firstOffset: Long.fromString(String(c.firstOffset)),
        })
      ).buffer;
      const decoded = (await decodeRecordBatch(new Decoder(batch))).records;
      expect(decoded.map((r) => r.offset)).toEqual([...c.deltas.map((_, i) => String(c.firstOffset + BigInt(i * 1_000))), String(c.firstOffset + 9n)]);
      expect(decoded.map((r) => r.timestamp)).toEqual([...c.deltas.map((d) => String(c.firstTimestamp + BigInt(d))), String(c.firstTimestamp)]);
      expect(decoded.map((r) => Object.keys(r.headers))).toEqual([...c.deltas.map((_, i) => (i === 1 ? ['a'] : ['a', 'b'])), ['h']]);
    }
    // a header key repeated inside one record (the wire allows it): the values as an array, in order
    interface Writer {
      buffer: Buffer;
      writeInt8(v: number): Writer;
      writeVarLong(v: number): Writer;
      writeVarInt(v: number): Writer;
      writeVarIntString(v: string): Writer;
      writeVarIntBytes(v: Buffer | null): Writer;
    }
    const w = new (Encoder as unknown as new () => Writer)()
      .writeInt8(0)
      .writeVarLong(0)
      .writeVarInt(0)
      .writeVarIntBytes(null)
      .writeVarIntBytes(Buffer.from('v'));
    w.writeVarInt(3);
    for (const v of ['1', '2', '3']) w.writeVarIntString('h').writeVarIntBytes(Buffer.from(v));
    const decodeRecord = load<(d: unknown, ctx: object) => DecodedRecord>('src/protocol/recordBatch/record/v0/decoder.js');
    const headers = decodeRecord(new Decoder(w.buffer), { firstOffset: '5', firstTimestamp: '6' }).headers as unknown as Record<string, Buffer[]>;
    expect(headers.h?.map(String)).toEqual(['1', '2', '3']);
  });

  it('decodes records in place: the same header bytes as the record before give its (frozen) headers object, other bytes their own', async () => {
    const page = { 'settle-execution-id': 'e1', 'settle-page': '7' };
    const headersOf: Array<Record<string, string>> = [page, page, { ...page }, { ...page, 'settle-page': '8' }, {}, {}, page, { a: '1', b: '2' }];
    const records = headersOf.map((headers, i) => Record({ key: `k${i}`, value: `value ${i}`, offsetDelta: i, timestampDelta: i, headers }));
    const batch = (await RecordBatch({ records, firstTimestamp: 1_000, maxTimestamp: 1_000, lastOffsetDelta: records.length - 1, firstOffset: 40 })).buffer;
    const decoded = (await decodeRecordBatch(new Decoder(batch))).records;
    expect(decoded.map((r) => String(r.key))).toEqual(headersOf.map((_, i) => `k${i}`));
    expect(decoded.map((r) => String(r.value))).toEqual(headersOf.map((_, i) => `value ${i}`));
    expect(decoded.map((r) => r.offset)).toEqual(headersOf.map((_, i) => String(40 + i)));
    expect(decoded.map((r) => Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)])))).toEqual(headersOf);
    const h = decoded.map((r) => r.headers);
    // records 0-2 carry the same bytes (an equal object encodes the same), as do 4-5; 3, 6 and 7 differ from the record before
    expect(h[1]).toBe(h[0]);
    expect(h[2]).toBe(h[0]);
    expect(h[5]).toBe(h[4]);
    expect(new Set(h).size).toBe(5);
    expect([h[0], h[4]].every((x) => Object.isFrozen(x))).toBe(true);
    expect([h[3], h[6], h[7]].some((x) => Object.isFrozen(x))).toBe(false);
    expect(() => {
      (h[1] as Record<string, unknown>)['settle-page'] = 'changed';
    }).toThrow(TypeError);
  });

  it('refuses a record batch whose record reads past the length it announces (was a view of that length)', async () => {
    const records = [0, 1].map((i) => Record({ key: 'k', value: 'v', offsetDelta: i, timestampDelta: 0, headers: {} }));
    const batch = Buffer.from((await RecordBatch({ records, firstTimestamp: 1, maxTimestamp: 1, lastOffsetDelta: 1, firstOffset: 0 })).buffer);
    const RECORDS_AT = 61; // the batch header, then the records' count; then the first record's length, a varint of one byte here
    expect((await decodeRecordBatch(new Decoder(batch))).records).toHaveLength(2);
    const length = (batch[RECORDS_AT] as number) >> 1;
    batch[RECORDS_AT] = (length - 1) << 1;
    await expect(decodeRecordBatch(new Decoder(batch))).rejects.toThrow(/past its length/);
  });

  it("keeps a fetch's records from the offset it asked for, compared as numbers or, beyond 2^53, as kafkajs's Long", () => {
    const Batch = load<new (topic: string, fetchedOffset: string, data: object) => { messages: Array<{ offset: string }> }>('src/consumer/batch.js');
    const data = (offsets: string[]) => ({
      partition: 0,
      highWatermark: '0',
      abortedTransactions: [],
      messages: offsets.map((offset) => ({ offset, isControlRecord: false })),
    });
    const kept = (fetched: string, offsets: string[]) => new Batch('t', fetched, data(offsets)).messages.map((m) => m.offset);
    expect(kept('5', ['3', '4', '5', '6', '10'])).toEqual(['5', '6', '10']);
    expect(kept('5', ['4', '9007199254740993'])).toEqual(['9007199254740993']);
    expect(kept('9007199254740993', ['9007199254740992', '9007199254740993', '9007199254740994'])).toEqual(['9007199254740993', '9007199254740994']);
  });

  it('reads each whole response from the socket without copying it (no empty chunk left behind to concatenate with)', () => {
    const Connection = load<{ prototype: { processData(this: object, data: Buffer): void } }>('src/network/connection.js');
    const frame = (correlationId: number, payload: Buffer) => {
      const b = Buffer.alloc(8 + payload.length);
      b.writeInt32BE(4 + payload.length, 0);
      b.writeInt32BE(correlationId, 4);
      payload.copy(b, 8);
      return b;
    };
    const got: Array<{ correlationId: number; payload: string; size: number }> = [];
    const connection = {
      authHandlers: null,
      chunks: [] as Buffer[],
      bytesBuffered: 0,
      bytesNeeded: 4,
      requestQueue: { fulfillRequest: (r: { correlationId: number; payload: Buffer; size: number }) => got.push({ ...r, payload: String(r.payload) }) },
    };
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      for (let i = 1; i <= 3; i++) Connection.prototype.processData.call(connection, frame(i, Buffer.from(`response ${i}`)));
      expect(concat).not.toHaveBeenCalled();
      // a response in two chunks, with the start of the next one: joined, read, and the rest kept for the next chunk
      const two = Buffer.concat([frame(4, Buffer.from('split response')), frame(5, Buffer.from('last'))]);
      concat.mockClear();
      Connection.prototype.processData.call(connection, two.subarray(0, 10));
      Connection.prototype.processData.call(connection, two.subarray(10, 30));
      Connection.prototype.processData.call(connection, two.subarray(30));
    } finally {
      concat.mockRestore();
    }
    expect(got.map((r) => [r.correlationId, r.payload])).toEqual([
      [1, 'response 1'],
      [2, 'response 2'],
      [3, 'response 3'],
      [4, 'split response'],
      [5, 'last'],
    ]);
    expect(connection.chunks).toEqual([]);
  });

  it('groups messages per partition in their order', () => {
    const messages = fixture().slice(0, 500);
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner: Murmur2Partitioner() });
    const partitioner = Murmur2Partitioner(); // a fresh one: keyless records go round-robin
    const expected: Record<string, Message[]> = {};
    for (const message of messages) (expected[partitioner({ topic: 't', partitionMetadata, message })] ??= []).push(message);
    expect(grouped).toEqual(expected);
    expect(Object.keys(grouped)).toEqual(Object.keys(expected));
  });

  it('arms no timer when no request is pending and nothing throttles (kafkajs #1751)', () => {
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const queue = new RequestQueue({
      instrumentationEmitter: null,
      maxInFlightRequests: null,
      requestTimeout: 30_000,
      enforceRequestTimeout: false,
      clientId: 'c',
      broker: 'b',
      logger,
      isConnected: () => true,
    });
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    try {
      queue.scheduleCheckPendingRequests();
      expect(setTimeoutSpy).not.toHaveBeenCalled();
      expect(queue.throttleCheckTimeoutId).toBeNull();
    } finally {
      setTimeoutSpy.mockRestore();
      queue.destroy();
    }
  });
});
