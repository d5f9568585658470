import type { Message } from 'kafkajs';
import type { PublishMeta } from '../../application/settlement/ports.js';
import type { RejectedSettlement, Settlement } from '../../domain/settlement/settlement.js';
import type { SettlementSerde } from './settlement-serde.js';

export const HEADER_EXECUTION_ID = 'settle-execution-id';
export const HEADER_PAGE = 'settle-page';

/**
 * A page's records as one buffer (key, then value, per record) plus the record boundaries: record i's key is
 * bytes[bounds[2i] .. bounds[2i+1]) and its value bytes[bounds[2i+1] .. bounds[2i+2]). The records handed to kafkajs are views into
 * it: one allocation per page instead of two buffers per record.
 */
export interface EncodedPage {
  readonly bytes: Uint8Array;
  readonly bounds: Uint32Array;
}

/** Rows of a page addJson declines before it stops trying the rest of the page, when they are more than half of those tried. */
export const GIVE_UP_AFTER = 64;

/** Bytes a record took on the last page encoded (key and framed value): the next page's buffer is sized by it. */
let bytesPerRecordHint = 512;

/**
 * Avro-encodes a page (key paymentKey) straight into the page's buffer, rows added in parts: each key, then its
 * framed value, written where it stays (no per-value chunk copied again). The buffer is sized from the previous
 * page and the rows expected, and doubles when a row does not fit; rows the schema refuses come back as rejects
 * with the reason.
 */
export class PageEncoder {
  readonly #unfit: RejectedSettlement[] = [];
  #bytes: Buffer;
  #bounds: Uint32Array;
  #pos = 0;
  #records = 0;
  #tried = 0;
  #declined = 0;

  constructor(
    private readonly serde: SettlementSerde,
    expectedRows: number,
  ) {
    this.#bytes = Buffer.allocUnsafeSlow(Math.max(1024, Math.ceil(expectedRows * bytesPerRecordHint * 1.1)));
    this.#bounds = new Uint32Array(2 * Math.max(1, expectedRows) + 1);
  }

  add(rows: readonly Settlement[]): void {
    const { serde } = this;
    let bytes = this.#bytes;
    let pos = this.#pos;
    for (const row of rows) {
      const key = row.paymentKey;
      // a key of n UTF-16 units takes at most 3n bytes; the value's room is asked for by writeValue
      while (bytes.length - pos < 3 * key.length) bytes = grown(bytes, pos, 3 * key.length);
      const valueAt = pos + bytes.write(key, pos);
      let end: number;
      try {
        end = serde.writeValue(row, bytes, valueAt);
        while (end < 0) {
          bytes = grown(bytes, valueAt, bytes.length - valueAt - end);
          end = serde.writeValue(row, bytes, valueAt);
        }
      } catch {
        this.#unfit.push({ raw: row, transactionKey: row.transactionKey, field: '(avro)', reason: `row ${serde.unfitReason(row)}` });
        continue;
      }
      this.#record(pos, valueAt);
      pos = end;
    }
    this.#bytes = bytes;
    this.#pos = pos;
  }

  /**
   * The row whose JSON text Toss sent is json[start, end), written by the serde's fast path (SettlementJsonAvro)
   * without being parsed: its transactionKey, or null when the fast path declines it (nothing is added; the caller
   * parses, validates and `add`s it).
   */
  addJson(json: Buffer, start: number, end: number): string | null {
    const fast = this.serde.jsonAvro;
    // a page whose rows it keeps declining (Toss sending a new field, say) is not tried further: each try costs a pass
    if (fast === null || (this.#declined >= GIVE_UP_AFTER && 2 * this.#declined > this.#tried)) return null;
    this.#tried += 1;
    const pos = this.#pos;
    const need = fast.roomFor(end - start);
    if (this.#bytes.length - pos < need) this.#bytes = grown(this.#bytes, pos, need);
    const valueEnd = fast.write(json, start, end, this.#bytes, pos, this.serde.schemaId);
    if (valueEnd < 0) {
      this.#declined += 1;
      return null;
    }
    this.#record(pos, fast.valueAt);
    this.#pos = valueEnd;
    return fast.transactionKey;
  }

  /** Notes the next record's key at `keyAt` and its value at `valueAt` (it ends where the next begins). */
  #record(keyAt: number, valueAt: number): void {
    const k = this.#records;
    if (2 * k + 2 >= this.#bounds.length) {
      const more = new Uint32Array(2 * this.#bounds.length + 1);
      more.set(this.#bounds);
      this.#bounds = more;
    }
    this.#bounds[2 * k] = keyAt;
    this.#bounds[2 * k + 1] = valueAt;
    this.#records = k + 1;
  }

  /** The page as encoded so far, and the rows the schema refused. */
  finish(): { page: EncodedPage; unfit: RejectedSettlement[] } {
    const k = this.#records;
    const pos = this.#pos;
    this.#bounds[2 * k] = pos;
    const bounds = this.#bounds.length === 2 * k + 1 ? this.#bounds : this.#bounds.slice(0, 2 * k + 1);
    if (k > 0) bytesPerRecordHint = Math.ceil(pos / k);
    return { page: { bytes: this.#bytes.subarray(0, pos), bounds }, unfit: this.#unfit };
  }
}

/** A whole page at once (PageEncoder, one part). */
export function encodePage(serde: SettlementSerde, rows: readonly Settlement[]): { page: EncodedPage; unfit: RejectedSettlement[] } {
  const encoder = new PageEncoder(serde, rows.length);
  encoder.add(rows);
  return encoder.finish();
}

/** A buffer at least twice as large holding the first `used` bytes of `bytes`, with `need` bytes free after them. */
function grown(bytes: Buffer, used: number, need: number): Buffer {
  const next = Buffer.allocUnsafeSlow(Math.max(2 * bytes.length, used + need));
  bytes.copy(next, 0, 0, used);
  return next;
}

export const metaHeaders = (meta: PublishMeta): Record<string, Buffer> => ({
  [HEADER_EXECUTION_ID]: Buffer.from(meta.executionId),
  [HEADER_PAGE]: Buffer.from(String(meta.page)),
});

/**
 * The kafkajs messages of an encoded page, made as they are read: views into its buffer, headers shared by every
 * record. The sender takes them a produce call at a time (bySize), so a page waiting its turn behind others holds its
 * one buffer, not three objects per record that would grow old in the heap meanwhile.
 */
export function* pageMessages(page: EncodedPage, meta: PublishMeta): Generator<Message> {
  const headers = metaHeaders(meta);
  const { bytes, bounds } = page;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records = (bounds.length - 1) / 2;
  for (let i = 0; i < records; i++) {
    const [ks, vs, ve] = [bounds[2 * i] as number, bounds[2 * i + 1] as number, bounds[2 * i + 2] as number];
    yield { key: buf.subarray(ks, vs), value: buf.subarray(vs, ve), headers };
  }
}

/** Rejects are JSON, not Avro: by definition they do not fit the schema. */
export const rejectMessages = (rejects: readonly RejectedSettlement[], meta: PublishMeta): Message[] => {
  const headers = metaHeaders(meta);
  return rejects.map((r) => ({ key: r.transactionKey, value: JSON.stringify({ field: r.field, reason: r.reason, row: r.raw }), headers }));
};
