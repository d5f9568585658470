import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { KafkaSnapshot, PublishingExecution } from '../../application/settlement/reconciliation-ports.js';
import type { ReconciledRow } from '../../domain/settlement/reconciliation.js';
import type { Settlement } from '../../domain/settlement/settlement.js';
import { windowDateOf, type SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import type { Logger } from '../logging/logger.js';
import { HEADER_EXECUTION_ID } from './encoded-page.js';
import { fetchWatermarks } from './topic-watermarks.js';

export interface KafkaPublishedSnapshotOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** Confluent wire format → a Settlement-shaped record (RegistrySettlementDecoder), sync or async. */
  readonly decoder: { decode(value: Buffer): unknown };
  readonly logger: Logger;
  /** Record timestamps come from the producer's clock, started_at from MySQL's: start this much earlier. */
  readonly clockSkewMs?: number; // 5 min
  readonly timeoutMs?: number; // 10 min
}

interface Kept {
  readonly row: ReconciledRow;
  readonly timestamp: number;
  readonly executionId: number;
}

/**
 * Reads the settlements topic from the offsets at the earliest publishing execution's start to the end of the
 * log as it stands now, in a throwaway consumer group, and keeps the records whose `settle-execution-id`
 * header names one of the executions. The newest record of a transactionKey wins, as in the loader.
 */
export class KafkaPublishedSnapshot implements KafkaSnapshot {
  readonly #o: Required<KafkaPublishedSnapshotOptions>;

  constructor(options: KafkaPublishedSnapshotOptions) {
    this.#o = { clockSkewMs: 5 * 60_000, timeoutMs: 10 * 60_000, ...options };
  }

  async publishedBy(
    executions: readonly PublishingExecution[],
    window: SettlementWindow,
    signal?: AbortSignal,
  ): Promise<{ rows: Map<string, ReconciledRow>; records: number }> {
    const rows = new Map<string, ReconciledRow>();
    if (executions.length === 0) return { rows, records: 0 };
    const { kafka, topic, logger } = this.#o;
    const ids = new Set(executions.map((e) => String(e.id)));
    const since = Math.min(...executions.map((e) => Date.parse(e.startedAt))) - this.#o.clockSkewMs;
    const groupId = `settle-reconcile-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const admin = kafka.admin();
    await admin.connect().catch(kafkaFailed('connect to Kafka'));
    try {
      const high = await fetchWatermarks(admin, topic);
      const starts = await admin
        .fetchTopicOffsetsByTimestamp(topic, since)
        .catch(kafkaFailed(`find the offsets of ${topic} at ${new Date(since).toISOString()}`));
      const behind = new Map<number, number>();
      for (const s of starts) if (Number(s.offset) < (high.get(s.partition)?.high ?? 0)) behind.set(s.partition, Number(s.offset));
      logger.debug({ topic, since: new Date(since).toISOString(), partitions: Object.fromEntries(behind) }, 'scanning published records');
      if (behind.size === 0) return { rows, records: 0 };
      // every partition gets a position: those with nothing to read start at their end and stay idle
      await admin
        .setOffsets({
          groupId,
          topic,
          partitions: starts.map((s) => ({ partition: s.partition, offset: String(behind.get(s.partition) ?? high.get(s.partition)?.high ?? s.offset) })),
        })
        .catch(kafkaFailed('position the reconcile reader'));
      const kept = new Map<string, Kept>();
      let records = 0;
      await this.#scan(groupId, behind, high, signal, async (value, headers, timestamp) => {
        const executionId = headers[HEADER_EXECUTION_ID];
        if (executionId === undefined || !ids.has(executionId)) return;
        records += 1;
        const s = (await this.#o.decoder.decode(value)) as Settlement;
        const row: ReconciledRow = {
          date: windowDateOf(s, window.dateType),
          amount: Number(s.amount),
          fee: Number(s.fee ?? 0),
          payOutAmount: Number(s.payOutAmount),
        };
        const before = kept.get(s.transactionKey);
        const id = Number(executionId);
        if (!before || timestamp > before.timestamp || (timestamp === before.timestamp && id >= before.executionId))
          kept.set(s.transactionKey, { row, timestamp, executionId: id });
      });
      for (const [key, k] of kept) rows.set(key, k.row);
      return { rows, records };
    } finally {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  }

  async #scan(
    groupId: string,
    behind: ReadonlyMap<number, number>,
    high: ReadonlyMap<number, { high: number }>,
    signal: AbortSignal | undefined,
    onRecord: (value: Buffer, headers: Record<string, string>, timestamp: number) => Promise<void>,
  ): Promise<void> {
    const { kafka, topic, timeoutMs } = this.#o;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    const done = new Set<number>();
    let finish: (error?: unknown) => void = () => undefined;
    const finished = new Promise<void>((resolve, reject) => {
      finish = (error) => (error === undefined ? resolve() : reject(error));
    });
    const timer = setTimeout(
      () => finish(new SettleError('KAFKA_SCAN_TIMEOUT', `reading ${topic} did not reach the end of the log within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = () => finish(new SettleError('ABORTED', 'reconcile interrupted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat }) => {
          const end = high.get(batch.partition)?.high ?? 0;
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            if (offset >= end) break;
            const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
            if (m.value) await onRecord(m.value, headers, Number(m.timestamp)).catch(finish);
            if (offset + 1 >= end) done.add(batch.partition);
          }
          await heartbeat();
          if ([...behind.keys()].every((p) => done.has(p))) finish();
        },
      });
      await finished;
    } catch (error) {
      if (error instanceof SettleError) throw error;
      throw new SettleError('KAFKA_SCAN_FAILED', `reading ${topic} failed: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      await consumer.disconnect().catch(() => undefined);
    }
  }
}

const kafkaFailed =
  (what: string) =>
  (error: unknown): never => {
    if (error instanceof SettleError) throw error;
    throw new SettleError('KAFKA_UNAVAILABLE', `could not ${what}: ${(error as Error).message}`, { cause: error });
  };
