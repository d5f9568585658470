import type { Settlement, SettlementRuleFields } from '../../domain/settlement/settlement.js';

/** Where a settlement came from in the log: the row's version for the "newer record wins" rule. */
export interface RecordSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Kafka record timestamp, ms since the epoch. */
  readonly timestamp: number;
}

export interface StoredRecord {
  /** The whole settlement; when `transactionKey` is set, decoded from `value` when first read (the fast path never reads it). */
  readonly settlement: Settlement;
  /**
   * Set when the ingest checked only the rule fields (RecordDecoder.decodeRuleFields) of a record in the reader's
   * layout: the row's key, to read rather than `settlement.transactionKey`, which costs a whole decode.
   */
  readonly transactionKey?: string;
  readonly offset: number;
  readonly timestamp: number;
  /** approvedAt as epoch milliseconds, parsed once when the record was checked (the store derives approved_at_utc from it). */
  readonly approvedAtMs?: number;
  /**
   * The record's value as it arrived, when the decoder says its bytes are in the reader schema's own layout
   * (RecordDecoder.inReaderLayout): the store may write the row straight from these bytes instead of from
   * `settlement` (the same row either way).
   */
  readonly value?: Buffer;
}

/** One partition's decoded, valid records plus the offset to resume from once they are stored. */
export interface StoreBatch {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly StoredRecord[];
  readonly nextOffset: number;
}

export interface UpsertCounts {
  readonly inserted: number;
  /** Rows a newer record replaced (values may be equal: the row's source moved forward). */
  readonly updated: number;
  /** Records not newer than the stored row (redelivery, replay of old offsets): nothing written. */
  readonly unchanged: number;
}

/**
 * The loader's database: the rows and each partition's next offset are written in ONE transaction, so a
 * crash at any instant leaves either both or neither (the database is the source of truth for positions).
 */
export interface SettlementStore {
  applyBatch(batch: StoreBatch): Promise<UpsertCounts>;
  /** partition → next offset to consume, for the partitions this group has stored. */
  storedOffsets(group: string, topic: string): Promise<Map<number, number>>;
}

export type RecordHeaders = Readonly<Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>>;

/** A record as it arrived, bytes untouched (dead letters keep the original bytes for a later redrive). */
export interface IncomingRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
}

export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly record: IncomingRecord;
  readonly code: string;
  readonly message: string;
}

/** Publishes poison records with the reason; resolves once the DLQ acknowledged them. */
export interface DeadLetterSink {
  send(letters: readonly DeadLetter[]): Promise<void>;
}

/**
 * Turns record bytes into a settlement typed by the Avro schema: every field present with its kind, nulls only
 * where the schema allows them, nested objects of their shape, no key the schema lacks (what Toss sent beyond it
 * travels in `unknownFields`). The ingest then checks only what a schema cannot say (validateTypedSettlement).
 * Throws (or rejects with) SettleError: category data = poison, transient = retry. May answer synchronously once
 * it has what it needs (the writer schema): no promise per record.
 */
export interface RecordDecoder {
  decode(value: Buffer): Settlement | PromiseLike<Settlement>;
  /** After decode succeeded: whether the value was written with exactly the reader's schema (its bytes then need no resolving). */
  inReaderLayout?(value: Buffer): boolean;
  /**
   * Only the rule fields, for a value in the reader's layout whose writer schema is loaded (then `decode` of the same
   * value answers synchronously); null when that is not so (decode it whole). Throws on exactly the values `decode`
   * throws on, with the same categories. The answer may be an object the decoder fills anew on its next call: read
   * what you need from it before decoding another value.
   */
  decodeRuleFields?(value: Buffer): SettlementRuleFields | null;
}
