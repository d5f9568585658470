import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import { SettleError } from '../../domain/shared/settle-error.js';
import { type DeadLetterInfo, readDeadLetterInfo } from './dlq-headers.js';
import { fetchWatermarks, type Watermarks } from './topic-watermarks.js';

export interface DlqRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  /** null when the record lacks our headers (not written by the consumer's dead-letter sink). */
  readonly info: DeadLetterInfo | null;
}

/** [from, to) per partition. */
export type OffsetRanges = ReadonlyMap<number, { readonly from: number; readonly to: number }>;

export async function dlqWatermarks(kafka: Kafka, topic: string): Promise<Map<number, Watermarks>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fetchWatermarks(admin, topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the given offset ranges of a topic and stops. kafkajs only reads through a group, so a throwaway
 * group is used; it never commits, so it leaves no offsets behind.
 */
export async function readRanges(kafka: Kafka, topic: string, ranges: OffsetRanges, timeoutMs = 60_000): Promise<DlqRecord[]> {
  const remaining = new Set([...ranges].filter(([, r]) => r.to > r.from).map(([p]) => p));
  if (remaining.size === 0) return [];
  const consumer = kafka.consumer({ groupId: `settle-dlq-reader-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  const out: DlqRecord[] = [];
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const p of remaining) consumer.seek({ topic, partition: p, offset: String(ranges.get(p)?.from ?? 0) });
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = ranges.get(batch.partition);
        if (!range) return;
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset >= range.from && offset < range.to)
            out.push({
              partition: batch.partition,
              offset,
              key: m.key ?? null,
              value: m.value ?? null,
              headers: m.headers ?? {},
              info: readDeadLetterInfo(m.headers),
            });
        }
        if (Number(batch.lastOffset()) + 1 >= range.to) remaining.delete(batch.partition);
        if (remaining.size === 0) finish();
      },
    });
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    if ((await Promise.race([finished, late])) === 'late') throw new SettleError('DLQ_READ_TIMEOUT', `reading ${topic} did not finish within ${timeoutMs} ms`);
    return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}
