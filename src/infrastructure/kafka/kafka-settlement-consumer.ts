import type { Admin, Batch, Consumer, Kafka } from 'kafkajs';
import type { IncomingRecord } from '../../application/ingest/ports.js';
import { retry } from '../../application/shared/retry.js';
import { checkBatchStart, checkStoredOffset, type LostRange, storedOffsetBelowLogStart, storedOffsetBeyondLog } from '../../domain/consumer/stored-offset.js';
import { isSettleError, SettleError } from '../../domain/shared/settle-error.js';
import type { Logger } from '../logging/logger.js';
import type { KafkaConnections } from './kafka-socket.js';
import { KafkaLink } from './kafka-link.js';
import { fetchWatermarks, type Watermarks } from './topic-watermarks.js';

export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  /** Records at or after the stored position (anything before it is already in the database). */
  readonly records: readonly IncomingRecord[];
  readonly nextOffset: number;
  /** Never throws: a failed heartbeat (rebalance) is logged; the batch can still commit safely. */
  readonly heartbeat: () => Promise<void>;
  /** Aborted when the consumer stops. */
  readonly signal: AbortSignal;
}

/** Stores a batch with its next offset; false = abandoned (nothing committed, it will be fetched again). */
export type BatchHandler = (batch: ConsumedBatch) => Promise<boolean>;

export interface KafkaSettlementConsumerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  readonly concurrency: number; // partitions processed at once = batches (and DB transactions) in flight
  readonly logger: Logger;
  readonly loadStoredOffsets: () => Promise<Map<number, number>>;
  readonly handle: BatchHandler;
  readonly onFatal: (error: unknown) => void;
  /**
   * Records lost per partition (deleted by retention before they were loaded): after every assignment with each
   * assigned partition (0 when nothing is lost), and again when a partition falls behind its log start later on.
   */
  readonly onRecordsLost?: (lostByPartition: ReadonlyMap<number, number>, wholeAssignment: boolean) => void;
  /**
   * Group timings (CONSUMER_SESSION_TIMEOUT_MS …, defaults in config.ts). A member that dies without leaving
   * (SIGKILL, OOM kill, lost node) keeps its partitions until its session expires: a restarted pod joins as a
   * new member and waits that long. Heartbeats also go out from a timer while a batch is being stored.
   */
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxBytesPerPartition?: number; // 512 KiB ≈ 1,700 records: one batch, one transaction
  readonly maxWaitTimeMs?: number; // long-poll wait; also bounds how long a stop waits for a fetch
  /**
   * The connections of `kafka` (trackedConnections, kafka-socket.ts). kafkajs never closes a connection whose
   * request timed out: it sends the retry down the same socket, and on a stalled or half-open path every retry
   * times out again until its retries are spent and the consumer restarts (3.5 to 5 minutes). With these, the first
   * timeout closes that broker's silent connections and kafkajs reconnects for its next request. Without them
   * (unit tests) nothing is closed.
   */
  readonly connections?: Pick<KafkaConnections, 'closeSilent' | 'onFailure'>;
  readonly now?: () => number;
}

interface Generation {
  readonly ready: Promise<void>;
  readonly sought: Set<number>;
}

/**
 * The consumer group: eachBatch without auto-resolve, at most `concurrency` partitions in flight (kafkajs
 * fetches again only once they are done, so memory stays bounded). The database is the source of truth for
 * positions: on every join the stored offsets are loaded and each assigned partition is sought there, and
 * each batch is checked against them (records already stored are dropped; a fetch past the stored position
 * seeks back). A stored offset outside the log (past its end, or below its start: records deleted by retention
 * before they were loaded) stops the consumer with a data error, on a join or mid-generation, never skipping.
 * Kafka commits still follow each stored batch, for lag monitoring only.
 */
export class KafkaSettlementConsumer {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly log: Logger;
  private readonly stopping = new AbortController();
  private readonly known = new Map<number, number>();
  private generation: Generation = { ready: Promise.resolve(), sought: new Set() };
  private assignment: number[] = [];
  private joinedOnce = false;
  private readonly now: () => number;
  private readonly link: KafkaLink;

  constructor(private readonly o: KafkaSettlementConsumerOptions) {
    this.log = o.logger.child({ component: 'consumer', group: o.groupId, topic: o.topic });
    this.now = o.now ?? Date.now;
    this.link = new KafkaLink(this.now());
    o.connections?.onFailure((broker, error) => {
      if (this.link.failed(this.now()))
        this.log.warn(
          { broker, err: error.message, ready: this.ready },
          `consumer not ready: a Kafka connection to ${broker} failed (${error.message}); ready again once a fetch succeeds`,
        );
    });
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      sessionTimeout: o.sessionTimeoutMs,
      rebalanceTimeout: o.rebalanceTimeoutMs,
      heartbeatInterval: o.heartbeatIntervalMs,
      // measured (bench): 512 KiB batches load as fast as 1 MiB ones on MariaDB with a third less peak RSS
      maxBytesPerPartition: o.maxBytesPerPartition ?? 524_288,
      // one fetch ≈ one round of work (`concurrency` batches). A fetch's records stay alive until its batches are
      // stored, and every young collection meanwhile copies them: with two rounds per fetch (before round eight of
      // issue 19) young collections took 670-762 ms per 500,000 rows against 525-531, for no more rows/s
      // (docs/performance.md)
      maxBytes: (o.maxBytesPerPartition ?? 524_288) * Math.max(o.concurrency, 1),
      maxWaitTimeInMs: o.maxWaitTimeMs ?? 1_000,
      allowAutoTopicCreation: false,
    });
    this.admin = o.kafka.admin();
  }

  get joined(): boolean {
    return this.joinedOnce;
  }
  /**
   * What /readyz answers: joined the group, and Kafka reachable: false from a request that timed out, a failed
   * connection or a consumer restart until a fetch begun after it returned (kafka-link.ts).
   */
  get ready(): boolean {
    return this.joinedOnce && this.link.up;
  }
  assigned(): readonly number[] {
    return this.assignment;
  }
  /** Next offset to consume per assigned partition, as far as this process knows (stored or just committed). */
  positions(): ReadonlyMap<number, number> {
    return this.known;
  }
  watermarks(): Promise<Map<number, Watermarks>> {
    return fetchWatermarks(this.admin, this.o.topic);
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => this.onJoin(e.payload.memberAssignment[this.o.topic] ?? []));
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (!e.payload.restart)
        this.o.onFatal(new SettleError('KAFKA_CONSUMER_CRASHED', `Kafka consumer stopped: ${e.payload.error.message}`, { cause: e.payload.error }));
      else if (this.link.failed(this.now()))
        this.log.warn({ ready: this.ready }, 'consumer not ready: kafkajs restarts the consumer after a crash; ready again once a fetch succeeds');
    });
    this.consumer.on(this.consumer.events.REQUEST, (e) => this.link.answered(e.payload.broker, this.now()));
    this.consumer.on(this.consumer.events.FETCH_START, (e) => this.link.fetchStarted(e.payload.nodeId, this.now()));
    this.consumer.on(this.consumer.events.FETCH, (e) => {
      const downMs = this.link.fetched(e.payload.nodeId, this.now());
      if (downMs !== null)
        this.log.info(
          { downMs, ready: this.ready },
          `Kafka reachable again: a fetch succeeded ${Math.round(downMs / 1000)} s after the consumer went not ready`,
        );
    });
    // kafkajs reports a timed-out request only once its retries are spent (6 fetches of 30 s, then a crash): a
    // stalled broker path is said, and its connections replaced, when it is first seen
    this.consumer.on(this.consumer.events.REQUEST_TIMEOUT, (e) => this.onRequestTimeout('consumer', e.payload));
    this.admin.on(this.admin.events.REQUEST_TIMEOUT, (e) => this.onRequestTimeout('admin', e.payload));
    await this.consumer.subscribe({ topics: [this.o.topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.concurrency,
      eachBatch: (p) => this.onBatch(p.batch, p.resolveOffset, p.heartbeat, p.isStale),
    });
  }

  /** Stops fetching, lets the batches in flight finish (or abandon a retry wait), leaves the group. */
  async stop(): Promise<void> {
    this.stopping.abort(new SettleError('CONSUMER_STOPPING', 'consumer is stopping'));
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }

  /**
   * A request got no answer within its timeout: the connections to that broker that heard nothing since it was
   * sent are closed (kafkajs would otherwise retry on them), and the consumer is not ready until a fetch succeeds.
   * `stalledMs`: how long the broker had said nothing to this consumer when the stall was seen.
   */
  private onRequestTimeout(client: 'consumer' | 'admin', e: { readonly apiName: string; readonly broker: string; readonly sentAt: number }): void {
    const at = this.now();
    const waitedMs = at - e.sentAt;
    const closed =
      this.o.connections?.closeSilent(e.broker, e.sentAt, `no answer from ${e.broker} to ${e.apiName} in ${waitedMs} ms: connection closed by settle`) ?? 0;
    const { stalledMs, wentDown } = this.link.timedOut(e.broker, at);
    this.log.warn(
      { client, api: e.apiName, broker: e.broker, waitedMs, stalledMs, closedConnections: closed, ready: this.ready },
      `Kafka request timed out: ${e.apiName} to ${e.broker}, nothing heard from it for ${Math.round(stalledMs / 1000)} s: ${closed} stalled connection${closed === 1 ? '' : 's'} closed, kafkajs reconnects${wentDown ? '; not ready until a fetch succeeds' : ''}`,
    );
  }

  private onJoin(partitions: number[]): void {
    this.assignment = [...partitions].sort((a, b) => a - b);
    this.known.clear();
    this.joinedOnce = true;
    const sought = new Set<number>();
    const ready = this.seekToStored(this.assignment).catch((error: unknown) => {
      // a stop during the seek (its retry wait abandoned, the admin disconnected under it) is not the consumer failing
      if (!this.stopping.signal.aborted) this.o.onFatal(error);
    });
    this.generation = { sought, ready };
    this.log.info({ partitions: this.assignment }, 'partitions assigned');
  }

  private async seekToStored(partitions: readonly number[]): Promise<void> {
    const load = () => Promise.all([this.o.loadStoredOffsets(), this.watermarks()]);
    const [stored, marks] = await retry(load, {
      maxRetries: 10,
      baseDelayMs: 500,
      maxDelayMs: 5_000,
      isRetriable: (e) => isSettleError(e) && e.retriable,
      signal: this.stopping.signal,
    });
    // every partition is checked before any is sought: a refused one must not let the others load meanwhile
    const seeks = new Map<number, number>();
    const lost: LostRange[] = [];
    let beyond: SettleError | null = null;
    for (const partition of partitions) {
      const check = checkStoredOffset(stored.get(partition), marks.get(partition) ?? { low: 0, high: 0 });
      if (check.status === 'beyond-end')
        beyond ??= storedOffsetBeyondLog({ topic: this.o.topic, group: this.o.groupId, partition, stored: check.stored, end: check.end });
      else if (check.status === 'below-start') lost.push({ partition, stored: check.stored, logStart: check.logStart, lost: check.lost });
      else seeks.set(partition, check.seekTo);
    }
    if (this.stopping.signal.aborted) return; // stopped meanwhile: kafkajs takes no seek once it disconnects
    this.o.onRecordsLost?.(new Map(partitions.map((p) => [p, lost.find((l) => l.partition === p)?.lost ?? 0])), true);
    if (beyond) throw beyond;
    if (lost.length > 0) throw storedOffsetBelowLogStart({ topic: this.o.topic, group: this.o.groupId, ranges: lost });
    for (const [partition, offset] of seeks) {
      this.known.set(partition, offset);
      this.consumer.seek({ topic: this.o.topic, partition, offset: String(offset) });
    }
  }

  /** The partition's log start offset, or null when it cannot be read right now. */
  private async logStart(partition: number): Promise<number | null> {
    try {
      return (await this.watermarks()).get(partition)?.low ?? null;
    } catch (error) {
      this.log.warn({ partition, err: error }, 'could not read the log start offset');
      return null;
    }
  }

  private async onBatch(batch: Batch, resolveOffset: (offset: string) => void, heartbeat: () => Promise<void>, isStale: () => boolean): Promise<void> {
    const gen = this.generation;
    await gen.ready;
    const { partition } = batch;
    const stored = this.known.get(partition);
    if (this.stopping.signal.aborted || isStale() || stored === undefined) return;
    const first = Number(batch.firstOffset());
    if (first > stored) {
      const logStart = await this.logStart(partition);
      if (this.stopping.signal.aborted || isStale() || this.generation !== gen) return; // a new assignment checks again
      const check = checkBatchStart({ stored, first, logStart, soughtBack: gen.sought.has(partition) });
      if (check.action === 'lost') {
        // deleted while this partition was behind: nothing of it is stored past `stored`, and nothing will be
        this.consumer.pause([{ topic: this.o.topic, partitions: [partition] }]);
        this.o.onRecordsLost?.(new Map([[partition, check.lost]]), false);
        this.o.onFatal(
          storedOffsetBelowLogStart({
            topic: this.o.topic,
            group: this.o.groupId,
            ranges: [{ partition, stored, logStart: check.logStart, lost: check.lost }],
          }),
        );
        return;
      }
      if (check.action === 'seek-back') {
        gen.sought.add(partition);
        this.consumer.seek({ topic: this.o.topic, partition, offset: String(stored) });
        return;
      }
      this.log.debug({ partition, stored, first }, 'offsets without a record between the stored offset and the batch (a gap inside the log)');
    }
    const records = recordsFrom(batch.messages, stored);
    const nextOffset = Number(batch.lastOffset()) + 1;
    if (records.length > 0) {
      const beat = () => heartbeat().catch((error: unknown) => this.log.debug({ partition, err: error }, 'heartbeat failed'));
      const timer = setInterval(() => void beat(), this.o.heartbeatIntervalMs);
      try {
        if (!(await this.o.handle({ topic: this.o.topic, partition, records, nextOffset, heartbeat: beat, signal: this.stopping.signal }))) return;
      } catch (error) {
        // never throw into kafkajs (it would retry the batch behind our back): stop the consumer instead
        this.consumer.pause([{ topic: this.o.topic, partitions: [partition] }]);
        this.o.onFatal(error);
        return;
      } finally {
        clearInterval(timer);
      }
    }
    if (this.generation === gen) this.known.set(partition, Math.max(stored, nextOffset));
    resolveOffset(batch.lastOffset());
    this.consumer
      .commitOffsets([{ topic: this.o.topic, partition, offset: String(nextOffset) }])
      .catch((error: unknown) => this.log.debug({ partition, err: error }, 'Kafka offset commit failed (lag metric only)'));
  }
}

/** The batch's records at or after `stored`, as the ingest reads them (one pass, offsets parsed once). */
function recordsFrom(messages: Batch['messages'], stored: number): IncomingRecord[] {
  const records: IncomingRecord[] = [];
  for (const m of messages) {
    const offset = Number(m.offset);
    if (offset >= stored) records.push({ offset, timestamp: Number(m.timestamp), key: m.key ?? null, value: m.value ?? null, headers: m.headers ?? {} });
  }
  return records;
}
