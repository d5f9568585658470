import { validateSettlement } from '../../domain/settlement/validate-settlement.js';
import { SettleError, isSettleError } from '../../domain/shared/settle-error.js';
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
  readonly retries: number;
  readonly nextOffset: number;
}

type Classified = { readonly ok: StoredRecord } | { readonly dead: DeadLetter };

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

    const classified = await attempt('decode', () => Promise.all(input.records.map((r) => classify(deps.decoder, input, r))));
    const valid = classified.flatMap((c) => ('ok' in c ? [c.ok] : []));
    const dead = classified.flatMap((c) => ('dead' in c ? [c.dead] : []));
    // The DLQ is written before the offset moves past the poison records: a crash in between re-sends
    // them (the DLQ is at-least-once, deduplicated by original topic/partition/offset), never loses them.
    if (dead.length > 0) await attempt('dead-letter', () => deps.deadLetters.send(dead));
    const counts = await attempt('store', () =>
      deps.store.applyBatch({ group: input.group, topic: input.topic, partition: input.partition, records: valid, nextOffset: input.nextOffset }),
    );
    const deadLetterCodes: Record<string, number> = {};
    for (const d of dead) deadLetterCodes[d.code] = (deadLetterCodes[d.code] ?? 0) + 1;
    return { ...counts, records: input.records.length, deadLettered: dead.length, deadLetterCodes, retries, nextOffset: input.nextOffset };
  };
}

async function classify(decoder: RecordDecoder, input: IngestInput, record: IncomingRecord): Promise<Classified> {
  const dead = (code: string, message: string): Classified => ({ dead: { topic: input.topic, partition: input.partition, record, code, message } });
  if (record.value === null || record.value.length === 0) return dead('EMPTY_VALUE', 'record has no value (tombstone or empty)');
  let decoded: unknown;
  try {
    decoded = await decoder.decode(record.value);
  } catch (error) {
    // data errors are this record's fault; transient ones (registry down) fail the step and are retried
    if (isSettleError(error) && error.category === 'data') return dead(error.code, error.message);
    throw error;
  }
  const result = validateSettlement(decoded);
  if (!result.ok) return dead('SETTLEMENT_INVALID', `${result.rejection.field}: ${result.rejection.reason}`);
  // the store keeps approvedAt as an instant too; a pattern-valid but impossible time (02-30) is poison here
  if (parseOffsetDateTime(result.value.approvedAt) === null) return dead('SETTLEMENT_INVALID', `approvedAt: "${result.value.approvedAt}" is not a real date-time`);
  return { ok: { settlement: result.value, offset: record.offset, timestamp: record.timestamp } };
}

function giveUp(error: unknown, step: IngestStep, input: IngestInput, signal: AbortSignal | undefined): unknown {
  const where = `${input.topic}[${input.partition}] before offset ${input.nextOffset}`;
  if (signal?.aborted) return new SettleError('INGEST_ABORTED', `batch ${where} abandoned on shutdown (nothing committed)`, { category: 'transient', cause: error });
  if (isSettleError(error) && error.retriable)
    return new SettleError('INGEST_RETRIES_EXHAUSTED', `gave up on step ${step} of batch ${where} after retries: ${error.message}; stopping instead of skipping`, {
      category: 'transient',
      cause: error,
      details: { step, code: error.code, partition: input.partition, nextOffset: input.nextOffset },
    });
  return error;
}
