import type { Config } from '../infrastructure/config/config.js';
import { type DlqRecord, dlqWatermarks, type OffsetRanges, readRanges } from '../infrastructure/kafka/dlq-reader.js';
import { redrive } from '../infrastructure/kafka/dlq-redriver.js';
import { createKafka } from '../infrastructure/kafka/kafka-client.js';
import { dlqTopic, ensureTopics, type EnsureResult, settlementTopics, type TopicSpec } from '../infrastructure/kafka/topic-admin.js';
import type { Watermarks } from '../infrastructure/kafka/topic-watermarks.js';
import type { Logger } from '../infrastructure/logging/logger.js';

/** `kafka init`: the settlements topic, its DLQ and the rejects topic as configured, created where missing. */
export function settlementTopicSpecs(config: Config): TopicSpec[] {
  return settlementTopics(config.kafka.topic, config.kafka.partitions);
}

export function ensureSettlementTopics(config: Config, logger: Logger, specs: readonly TopicSpec[]): Promise<EnsureResult> {
  return ensureTopics(createKafka(config.kafka, logger), specs);
}

/** `dlq list` and `dlq redrive`: the configured topic's dead-letter topic. */
export interface DeadLetters {
  readonly topic: string;
  watermarks(): Promise<Map<number, Watermarks>>;
  read(ranges: OffsetRanges): Promise<DlqRecord[]>;
  /** Re-publishes the records to their original topics; how many were published. */
  redrive(records: readonly DlqRecord[]): Promise<number>;
}

export function wireDeadLetters(config: Config, logger: Logger): DeadLetters {
  const kafka = createKafka(config.kafka, logger);
  const topic = dlqTopic(config.kafka.topic);
  return {
    topic,
    watermarks: () => dlqWatermarks(kafka, topic),
    read: (ranges) => readRanges(kafka, topic, ranges),
    redrive: (records) => redrive(kafka, topic, records),
  };
}
