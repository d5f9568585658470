import type { Admin } from 'kafkajs';
import { SettleError } from '../../domain/shared/settle-error.js';

export interface Watermarks {
  /** First offset still in the log. */
  readonly low: number;
  /** Offset the next produced record will get (the end of the log). */
  readonly high: number;
}

/** partition → low/high watermark of a topic. */
export async function fetchWatermarks(admin: Admin, topic: string): Promise<Map<number, Watermarks>> {
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
  } catch (error) {
    throw new SettleError('KAFKA_OFFSETS_UNAVAILABLE', `could not read the offsets of ${topic}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
