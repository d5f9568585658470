import type { IHeaders } from 'kafkajs';
import type { DeadLetter, RecordHeaders } from '../../application/ingest/ports.js';

/** Headers a dead letter carries (plus the original record's own headers, unchanged). */
export const DLQ_HEADER = {
  topic: 'settle-dlq-original-topic',
  partition: 'settle-dlq-original-partition',
  offset: 'settle-dlq-original-offset',
  timestamp: 'settle-dlq-original-timestamp',
  errorCode: 'settle-dlq-error-code',
  errorMessage: 'settle-dlq-error-message',
  deadLetteredAt: 'settle-dlq-dead-lettered-at',
} as const;
export const REDRIVEN_FROM_HEADER = 'settle-redriven-from';

const OURS = new Set<string>(Object.values(DLQ_HEADER));

export function deadLetterHeaders(letter: DeadLetter, now: Date): IHeaders {
  return {
    ...copyHeaders(letter.record.headers),
    [DLQ_HEADER.topic]: letter.topic,
    [DLQ_HEADER.partition]: String(letter.partition),
    [DLQ_HEADER.offset]: String(letter.record.offset),
    [DLQ_HEADER.timestamp]: String(letter.record.timestamp),
    [DLQ_HEADER.errorCode]: letter.code,
    [DLQ_HEADER.errorMessage]: letter.message.slice(0, 2000),
    [DLQ_HEADER.deadLetteredAt]: now.toISOString(),
  };
}

export interface DeadLetterInfo {
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: number;
  readonly originalTimestamp: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly deadLetteredAt: string;
}

/** Reads our headers back; null when the record did not come from our dead-letter sink. */
export function readDeadLetterInfo(headers: IHeaders | undefined): DeadLetterInfo | null {
  const text = (name: string): string | undefined => {
    const v = headers?.[name];
    const one = Array.isArray(v) ? v[0] : v;
    return one === undefined ? undefined : one.toString();
  };
  const topic = text(DLQ_HEADER.topic);
  const partition = Number(text(DLQ_HEADER.partition));
  const offset = Number(text(DLQ_HEADER.offset));
  const timestamp = Number(text(DLQ_HEADER.timestamp));
  if (!topic || !Number.isInteger(partition) || !Number.isInteger(offset) || !Number.isFinite(timestamp)) return null;
  return {
    originalTopic: topic,
    originalPartition: partition,
    originalOffset: offset,
    originalTimestamp: timestamp,
    errorCode: text(DLQ_HEADER.errorCode) ?? '',
    errorMessage: text(DLQ_HEADER.errorMessage) ?? '',
    deadLetteredAt: text(DLQ_HEADER.deadLetteredAt) ?? '',
  };
}

/** The original record's headers: a dead letter's headers without ours (for a redrive). */
export function originalHeaders(headers: IHeaders | undefined): IHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => !OURS.has(k)));
}

function copyHeaders(headers: RecordHeaders): IHeaders {
  const out: IHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? [...(v as Array<Buffer | string>)] : (v as Buffer | string);
  return out;
}
