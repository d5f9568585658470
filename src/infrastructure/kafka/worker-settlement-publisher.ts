import { Worker } from 'node:worker_threads';
import type { PublishMeta, SettlementPublisher } from '../../application/settlement/ports.js';
import type { RejectedSettlement, Settlement } from '../../domain/settlement/settlement.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import type { Config } from '../config/config.js';
import { encodePage } from './encoded-page.js';
import type { FromProducerThread, ProducerThreadSetup, ToProducerThread } from './producer-thread-protocol.js';
import type { SettlementSerde } from './settlement-serde.js';

/** The compiled producer thread beside this file (dist/); absent when running TypeScript sources. */
export const PRODUCER_THREAD_URL = new URL('./producer-thread.js', import.meta.url);

export interface WorkerSettlementPublisherOptions {
  readonly kafka: Config['kafka'];
  readonly serde: SettlementSerde;
  readonly topic: string;
  readonly rejectsTopic: string;
  readonly logLevel: string;
  readonly maxSendBytes?: number;
  readonly threadUrl?: URL;
}

/**
 * Same records and guarantees as KafkaSettlementPublisher, but kafkajs (the costliest part per record) runs on
 * a producer thread: this thread Avro-encodes a page into one buffer and transfers it (no copy); the thread
 * sends pages in the order they arrive and answers once Kafka acknowledged them (acks = all).
 */
export class WorkerSettlementPublisher implements SettlementPublisher {
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #broken: Error | null = null;
  #exited = false;

  private constructor(
    private readonly worker: Worker,
    private readonly o: WorkerSettlementPublisherOptions,
  ) {
    worker.on('message', (m: FromProducerThread) => {
      if (m.kind === 'acked') this.#settle(m.id, null);
      else if (m.kind === 'failed' && m.id !== null) this.#settle(m.id, new SettleError(m.code, m.message, { category: 'transient', retriable: m.retriable }));
    });
    worker.on('error', (error) => this.#fail(new SettleError('KAFKA_PUBLISH_FAILED', `producer thread crashed: ${error.message}`, { category: 'transient', cause: error })));
    worker.on('exit', (code) => {
      this.#exited = true;
      this.#fail(new SettleError('KAFKA_PUBLISH_FAILED', `producer thread exited (${code})`, { category: 'transient' }));
    });
  }

  /** Starts the thread and resolves once its producer is connected. */
  static async start(o: WorkerSettlementPublisherOptions): Promise<WorkerSettlementPublisher> {
    const { sasl, brokers, clientId, ssl } = o.kafka;
    const setup: ProducerThreadSetup = {
      kafka: { brokers, clientId, ssl, sasl: sasl ? { ...sasl, password: sasl.password.reveal() } : null },
      logLevel: o.logLevel,
      ...(o.maxSendBytes ? { maxSendBytes: o.maxSendBytes } : {}),
    };
    const worker = new Worker(o.threadUrl ?? PRODUCER_THREAD_URL, { workerData: setup, name: 'settle-producer' });
    let onMessage = (_m: FromProducerThread): void => undefined;
    let onError = (_e: Error): void => undefined;
    let onExit = (_code: number): void => undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        onMessage = (m) => (m.kind === 'ready' ? resolve() : m.kind === 'failed' ? reject(new SettleError(m.code, m.message, { category: 'transient' })) : undefined);
        onError = reject;
        onExit = (code) => reject(new SettleError('KAFKA_CONNECT_FAILED', `producer thread exited (${code}) before connecting`, { category: 'transient' }));
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      });
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      // only ours: removeAllListeners() would also cut the thread's own message channel
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    }
    return new WorkerSettlementPublisher(worker, o);
  }

  async publish(rows: readonly Settlement[], meta: PublishMeta): Promise<RejectedSettlement[]> {
    if (rows.length === 0) return [];
    const { page, unfit } = encodePage(this.o.serde, rows);
    if (page.bounds.length > 1) await this.#request({ kind: 'page', id: 0, topic: this.o.topic, meta, page }, [page.bytes.buffer as ArrayBuffer, page.bounds.buffer as ArrayBuffer]);
    return unfit;
  }

  async publishRejects(rejects: readonly RejectedSettlement[], meta: PublishMeta): Promise<void> {
    if (rejects.length === 0) return;
    // Rejects are JSON, not Avro: by definition they do not fit the schema.
    const records = rejects.map((r) => ({ key: r.transactionKey, value: JSON.stringify({ field: r.field, reason: r.reason, row: r.raw }) }));
    await this.#request({ kind: 'records', id: 0, topic: this.o.rejectsTopic, meta, records }, []);
  }

  /**
   * Disconnects the producer (after what was handed over is answered) and ends the thread. Once `abandon` aborts
   * (already, or while waiting: a shutdown deadline) the thread is terminated instead, with the sends kafkajs is
   * still retrying: their pages were never acknowledged, so never checkpointed.
   */
  async close(abandon?: AbortSignal): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const terminate = () => void this.worker.terminate();
    if (abandon?.aborted) terminate();
    else {
      this.worker.postMessage({ kind: 'close' } satisfies ToProducerThread);
      abandon?.addEventListener('abort', terminate, { once: true });
    }
    const timer = setTimeout(terminate, 30_000);
    await exited.finally(() => {
      clearTimeout(timer);
      abandon?.removeEventListener('abort', terminate);
    });
  }

  #request(message: ToProducerThread & { id: number }, transfer: ArrayBuffer[]): Promise<void> {
    if (this.#broken) return Promise.reject(this.#broken);
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  #settle(id: number, error: Error | null): void {
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    if (error) p?.reject(error);
    else p?.resolve();
  }

  #fail(error: Error): void {
    this.#broken ??= error;
    for (const [id] of this.#pending) this.#settle(id, error);
  }
}
