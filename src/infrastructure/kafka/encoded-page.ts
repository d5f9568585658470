import type { Message } from 'kafkajs';
import type { PublishMeta } from '../../application/settlement/ports.js';
import type { RejectedSettlement, Settlement } from '../../domain/settlement/settlement.js';
import type { SettlementSerde } from './settlement-serde.js';

export const HEADER_EXECUTION_ID = 'settle-execution-id';
export const HEADER_PAGE = 'settle-page';

/**
 * A page's records as one buffer (key, then value, per record) plus the record boundaries: record i's key is
 * bytes[bounds[2i] .. bounds[2i+1]) and its value bytes[bounds[2i+1] .. bounds[2i+2]). Two transferable
 * buffers, so a page crosses to the producer thread without a copy.
 */
export interface EncodedPage {
  readonly bytes: Uint8Array;
  readonly bounds: Uint32Array;
}

/** Avro-encodes a page (key paymentKey); rows the schema refuses come back as rejects with the reason. */
export function encodePage(serde: SettlementSerde, rows: readonly Settlement[]): { page: EncodedPage; unfit: RejectedSettlement[] } {
  const values = serde.encodeBatch(rows);
  const unfit: RejectedSettlement[] = [];
  const keys: string[] = [];
  let total = 0;
  values.forEach((value, i) => {
    const row = rows[i] as Settlement;
    if (Buffer.isBuffer(value)) {
      keys.push(row.paymentKey);
      total += Buffer.byteLength(row.paymentKey) + value.length;
    } else unfit.push({ raw: row, transactionKey: row.transactionKey, field: '(avro)', reason: `row ${value.unfit}` });
  });
  const bytes = Buffer.allocUnsafeSlow(total);
  const bounds = new Uint32Array(2 * keys.length + 1);
  let pos = 0;
  let k = 0;
  for (const value of values) {
    if (!Buffer.isBuffer(value)) continue;
    bounds[2 * k] = pos;
    pos += bytes.write(keys[k] as string, pos);
    bounds[2 * k + 1] = pos;
    pos += value.copy(bytes, pos);
    k += 1;
  }
  bounds[2 * k] = pos;
  return { page: { bytes, bounds }, unfit };
}

export const metaHeaders = (meta: PublishMeta): Record<string, Buffer> => ({ [HEADER_EXECUTION_ID]: Buffer.from(meta.executionId), [HEADER_PAGE]: Buffer.from(String(meta.page)) });

/** The kafkajs messages of an encoded page: views into its buffer, headers shared by every record. */
export function pageMessages(page: EncodedPage, meta: PublishMeta): Message[] {
  const headers = metaHeaders(meta);
  const { bytes, bounds } = page;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const messages: Message[] = new Array<Message>((bounds.length - 1) / 2);
  for (let i = 0; i < messages.length; i++) {
    const [ks, vs, ve] = [bounds[2 * i] as number, bounds[2 * i + 1] as number, bounds[2 * i + 2] as number];
    messages[i] = { key: buf.subarray(ks, vs), value: buf.subarray(vs, ve), headers };
  }
  return messages;
}

/** Rejects are JSON, not Avro: by definition they do not fit the schema. */
export const rejectMessages = (rejects: readonly RejectedSettlement[], meta: PublishMeta): Message[] => {
  const headers = metaHeaders(meta);
  return rejects.map((r) => ({ key: r.transactionKey, value: JSON.stringify({ field: r.field, reason: r.reason, row: r.raw }), headers }));
};
