import { validateTypedSettlement } from '../../domain/settlement/validate-settlement.js';
import type { Settlement, SettlementRuleFields } from '../../domain/settlement/settlement.js';
import { unknownFieldNames } from '../../domain/settlement/settlement-shape.js';
import { SettleError, isSettleError, type ErrorCode } from '../../domain/shared/settle-error.js';
import { abortableSleep, retry } from '../shared/retry.js';
import { parseOffsetDateTime } from './offset-date-time.js';
import type { DeadLetter, DeadLetterSink, IncomingRecord, RecordDecoder, SettlementStore, StoredRecord, UpsertCounts } from './ports.js';

export type IngestStep = 'decode' | 'dead-letter' | 'store';

export interface IngestBatchDeps {
  readonly decoder: RecordDecoder;
  readonly store: SettlementStore;
  readonly deadLetters: DeadLetterSink;
  /** Retries of a transient failure per step before the consumer stops (config.consumer.maxDbRetries). */
  readonly maxRetries: number;
  readonly baseDelayMs?: number; // first backoff; doubled per attempt
  readonly maxDelayMs?: number; // cap on one wait: short enough to heartbeat within the session timeout
  readonly onRetry?: (info: { step: IngestStep; attempt: number; delayMs: number; error: unknown }) => void;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

export interface IngestInput {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly IncomingRecord[];
  /** Offset to resume from once this batch is stored (last offset + 1). */
  readonly nextOffset: number;
}

export interface IngestControl {
  /** Keeps the group membership alive during long retries; must not throw. */
  readonly heartbeat: () => Promise<void>;
  /** Aborted on shutdown: a batch waiting to retry is abandoned (nothing was committed). */
  readonly signal?: AbortSignal;
}

export interface IngestOutcome extends UpsertCounts {
  readonly records: number;
  readonly deadLettered: number;
  readonly deadLetterCodes: Readonly<Record<string, number>>;
  /** Stored rows carrying each field the schema does not model (see settlement-shape.ts), by name. */
  readonly unknownFields: Readonly<Record<string, number>>;
  readonly retries: number;
  readonly nextOffset: number;
}

/**
 * Ingest one partition's batch: decode → validate → poison records to the DLQ → upsert the valid rows and the
 * next offset in one transaction. Transient failures are retried with capped backoff (heartbeating between
 * attempts); past the limit it throws INGEST_RETRIES_EXHAUSTED so the consumer stops instead of skipping.
 */
export function createIngestBatch(deps: IngestBatchDeps): (input: IngestInput, control: IngestControl) => Promise<IngestOutcome> {
  return async (input, control) => {
    let retries = 0;
    const attempt = <T>(step: IngestStep, fn: () => Promise<T>): Promise<T> =>
      retry(fn, {
        maxRetries: deps.maxRetries,
        baseDelayMs: deps.baseDelayMs ?? 200,
        maxDelayMs: deps.maxDelayMs ?? 5_000,
        isRetriable: (error) => isSettleError(error) && error.retriable,
        onRetry: (info) => {
          retries += 1;
          deps.onRetry?.({ step, ...info });
        },
        sleep: async (ms, signal) => {
          await control.heartbeat();
          await (deps.sleep ?? abortableSleep)(ms, signal);
          await control.heartbeat();
        },
        ...(deps.random ? { random: deps.random } : {}),
        ...(control.signal ? { signal: control.signal } : {}),
      }).catch((error: unknown) => {
        throw giveUp(error, step, input, control.signal);
      });

    const { valid, dead, unknownFields } = await attempt('decode', () => classifyAll(deps.decoder, input));
    // The DLQ is written before the offset moves past the poison records: a crash in between re-sends
    // them (the DLQ is at-least-once, deduplicated by original topic/partition/offset), never loses them.
    if (dead.length > 0) await attempt('dead-letter', () => deps.deadLetters.send(dead));
    const counts = await attempt('store', () =>
      deps.store.applyBatch({ group: input.group, topic: input.topic, partition: input.partition, records: valid, nextOffset: input.nextOffset }),
    );
    const deadLetterCodes: Record<string, number> = {};
    for (const d of dead) deadLetterCodes[d.code] = (deadLetterCodes[d.code] ?? 0) + 1;
    return { ...counts, records: input.records.length, deadLettered: dead.length, deadLetterCodes, unknownFields, retries, nextOffset: input.nextOffset };
  };
}

/** Unknown fields of the valid records, by name: how many records carry each (counted as they are checked). */
type UnknownTally = Record<string, number>;

/**
 * Splits a batch into valid records and poison, in log order, and tallies the valid records' unknown fields.
 * Sequential, and awaiting only when the decoder must (a writer schema not yet fetched): per record that is a few
 * allocations instead of two promises.
 */
async function classifyAll(decoder: RecordDecoder, input: IngestInput): Promise<{ valid: StoredRecord[]; dead: DeadLetter[]; unknownFields: UnknownTally }> {
  const valid: StoredRecord[] = [];
  const dead: DeadLetter[] = [];
  const unknownFields: UnknownTally = {};
  for (const record of input.records) {
    let result = classify(decoder, record, unknownFields);
    if (isThenable(result)) result = await result;
    if ('code' in result) dead.push({ topic: input.topic, partition: input.partition, record, code: result.code, message: result.message });
    else valid.push(result);
  }
  return { valid, dead, unknownFields };
}

interface Poison {
  readonly code: ErrorCode; // a data code: the dead letter's settle-dlq-error-code header
  readonly message: string;
}

/** The stored record, or why it is poison. Returns a promise only while the decoder awaits. */
function classify(decoder: RecordDecoder, record: IncomingRecord, tally: UnknownTally): StoredRecord | Poison | PromiseLike<StoredRecord | Poison> {
  const value = record.value;
  if (value === null || value.length === 0) return { code: 'EMPTY_VALUE', message: 'record has no value (tombstone or empty)' };
  let decoded: Settlement | PromiseLike<Settlement>;
  try {
    // the store writes a record in the reader's layout from its bytes: its rule fields are all there is to decode
    const fields = decoder.decodeRuleFields?.(value) ?? null;
    if (fields !== null) return checkRuleFields(fields, record, value, decoder, tally);
    decoded = decoder.decode(value);
  } catch (error) {
    return poison(error);
  }
  if (isThenable(decoded)) return decoded.then((d) => check(d, record, decoder, tally), poison);
  return check(decoded, record, decoder, tally);
}

// not `instanceof Promise`: a decoder may hand back any promise implementation (a settlement has no `then`)
const isThenable = <T>(v: T | PromiseLike<T>): v is PromiseLike<T> => typeof (v as { then?: unknown } | null)?.then === 'function';

// data errors are this record's fault; transient ones (registry down) fail the step and are retried
function poison(error: unknown): Poison {
  if (isSettleError(error) && error.category === 'data') return { code: error.code, message: error.message };
  throw error;
}

// the decoder's schema typed the record: only the rules a schema cannot state are checked (no second validation)
function check(decoded: Settlement, record: IncomingRecord, decoder: RecordDecoder, tally: UnknownTally): StoredRecord | Poison {
  const approvedAtMs = approvedAtIfValid(decoded);
  if (typeof approvedAtMs !== 'number') return approvedAtMs;
  countUnknown(decoded.unknownFields, tally);
  const value = record.value;
  // the store may write the row from the bytes themselves when they are in the reader's layout
  if (value !== null && decoder.inReaderLayout?.(value))
    return { settlement: decoded, offset: record.offset, timestamp: record.timestamp, approvedAtMs, value };
  return { settlement: decoded, offset: record.offset, timestamp: record.timestamp, approvedAtMs };
}

/**
 * check() for a record decoded to its rule fields alone (its value is in the reader's layout). Only its key outlives
 * the check: the fields are garbage before the batch waits on the database, so they never survive a young collection.
 */
function checkRuleFields(
  fields: SettlementRuleFields,
  record: IncomingRecord,
  value: Buffer,
  decoder: RecordDecoder,
  tally: UnknownTally,
): StoredRecord | Poison {
  const approvedAtMs = approvedAtIfValid(fields);
  if (typeof approvedAtMs !== 'number') return approvedAtMs;
  countUnknown(fields.unknownFields, tally);
  return new RuleCheckedRecord(fields.transactionKey, record.offset, record.timestamp, approvedAtMs, value, decoder);
}

function countUnknown(unknownFields: string | null, tally: UnknownTally): void {
  if (unknownFields === null) return;
  for (const name of unknownFieldNames(unknownFields)) tally[name] = (tally[name] ?? 0) + 1;
}

/** The rules a schema cannot state (validateTypedSettlement), then approvedAt as an instant: its epoch ms, or why it is poison. */
function approvedAtIfValid(fields: SettlementRuleFields): number | Poison {
  const result = validateTypedSettlement(fields);
  if (!result.ok) return { code: 'SETTLEMENT_INVALID', message: `${result.rejection.field}: ${result.rejection.reason}` };
  // the store keeps approvedAt as an instant too; a pattern-valid but impossible time (02-30) is poison here
  const approvedAtMs = parseOffsetDateTime(fields.approvedAt);
  if (approvedAtMs === null) return { code: 'SETTLEMENT_INVALID', message: `approvedAt: "${fields.approvedAt}" is not a real date-time` };
  return approvedAtMs;
}

/**
 * A record the ingest checked by its rule fields: the store writes its row from `value`, and reads `settlement` only
 * for a row it writes by the general path or the upsert, which decodes the value whole then (synchronously: the
 * writer schema is loaded, decodeRuleFields answered).
 */
class RuleCheckedRecord implements StoredRecord {
  #settlement: Settlement | null = null;

  constructor(
    readonly transactionKey: string,
    readonly offset: number,
    readonly timestamp: number,
    readonly approvedAtMs: number,
    readonly value: Buffer,
    private readonly decoder: RecordDecoder,
  ) {}

  get settlement(): Settlement {
    if (this.#settlement === null) {
      const whole = this.decoder.decode(this.value);
      if (isThenable(whole)) throw new Error(`offset ${this.offset}: the decoder answered its rule fields but not the whole record at once`);
      this.#settlement = whole;
    }
    return this.#settlement;
  }
}

function giveUp(error: unknown, step: IngestStep, input: IngestInput, signal: AbortSignal | undefined): unknown {
  const where = `${input.topic}[${input.partition}] before offset ${input.nextOffset}`;
  if (signal?.aborted) return new SettleError('INGEST_ABORTED', `batch ${where} abandoned on shutdown (nothing committed)`, { cause: error });
  if (isSettleError(error) && error.retriable)
    return new SettleError(
      'INGEST_RETRIES_EXHAUSTED',
      `gave up on step ${step} of batch ${where} after retries: ${error.message}; stopping instead of skipping`,
      {
        cause: error,
        details: { step, code: error.code, partition: input.partition, nextOffset: input.nextOffset },
      },
    );
  return error;
}
