import type { ISocketFactory } from 'kafkajs';
import { abortableSleep } from '../../application/shared/retry.js';
import { isSettleError, SettleError } from '../../domain/shared/settle-error.js';
import type { Config } from '../../infrastructure/config/config.js';
import type { ConsumedBatch, KafkaSettlementConsumer } from '../../infrastructure/kafka/kafka-settlement-consumer.js';
import type { Logger } from '../../infrastructure/logging/logger.js';
import { wireIngest, wireSettlementConsumer } from '../../composition/consumer.js';
import { calendarHorizonStatus } from '../../composition/calendar-horizon.js';
import { createBusinessCalendar } from '../../infrastructure/calendar/create-business-calendar.js';
import { todayInSeoul } from '../../domain/calendar/local-date.js';
import { wireJobAdmin } from '../../composition/database.js';
import { ConsumeTotals, type ConsumeSummary } from './consume-summary.js';
import { ConsumerMetrics } from './consumer-metrics.js';
import { type HealthServer, startHealthServer } from './health-server.js';
import { ShutdownDeadline } from '../shutdown/shutdown-deadline.js';

export interface ConsumerTuning {
  readonly maxBytesPerPartition?: number;
  readonly rowsPerStatement?: number;
}

export interface RunConsumerOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** SIGTERM/SIGINT: stop fetching, finish or abandon the batches in flight, disconnect. */
  readonly signal: AbortSignal;
  /** Return once every assigned partition's stored offset reached the end of the log. */
  readonly untilIdle: boolean;
  readonly tuning?: ConsumerTuning;
  readonly onListening?: (metricsUrl: string) => void;
  /**
   * Records lost (STORED_OFFSET_BELOW_LOG_START): how long /metrics stays up after the shutdown, waiting for the next
   * scrape, so settle_consumer_records_lost reaches Prometheus before the process exits (not with --until-idle).
   */
  readonly lossScrapeWaitMs?: number;
  /** Opens the consumer's broker connections (default: settle's socket factory); a test routes them through a proxy. */
  readonly dial?: ISocketFactory;
}

/** Under the Deployment's liveness window (3 failed /healthz probes 10 s apart), which would kill the process first. */
const LOSS_SCRAPE_WAIT_MS = 20_000;
/** Past this share of the time left at the stop, batches still in flight (a long lock wait) are rolled back rather than awaited. */
const ROLL_BACK_IN_FLIGHT_AT = 0.6;

/** `settle consume`: wires the adapters, runs until a signal, idleness or a fatal error, then shuts down within the deadline. */
export async function runConsumer(o: RunConsumerOptions): Promise<ConsumeSummary> {
  const started = performance.now();
  const log = o.logger.child({ component: 'consume' });
  const run = new ConsumerRun(o, log, await wire(o, log), started);
  const server = await startHealth(run);
  try {
    await connect(run);
    await consumeUntilStopped(run);
  } finally {
    await shutDown(run, server);
  }
  return finish(run);
}

/** What the run opens (the ingest adapters, the job store) and its metrics; the shutdown closes them. */
type Wired = ReturnType<typeof wireIngest> & { readonly jobs: ReturnType<typeof wireJobAdmin>; readonly metrics: ConsumerMetrics };

/**
 * One run's state, shared by its steps (the functions below): what it wired, the consumer group, what stopped it
 * (the signal, idleness or a fatal error), the totals so far and the shutdown deadline. Only the steps change it.
 */
class ConsumerRun {
  readonly totals = new ConsumeTotals();
  /** Aborted by the signal or a fatal error: the run stops consuming. */
  readonly wake = new AbortController();
  /**
   * Runs from the signal, whatever the consumer is doing then (a reconnect, a watermark read against a dead broker):
   * nothing waits on those once the signal came. Without a signal, from the start of the shutdown.
   */
  readonly deadline: ShutdownDeadline;
  readonly consumer: KafkaSettlementConsumer;
  /** The consumer group's first fatal error; null while it is healthy. */
  fatal: unknown = null;
  stoppedBy: 'signal' | 'idle' = 'signal';
  /** The shutdown finished within the deadline. */
  stoppedInTime = false;
  readonly #onSignal = () => this.wake.abort();

  constructor(
    readonly o: RunConsumerOptions,
    readonly log: Logger,
    readonly wired: Wired,
    readonly started: number,
  ) {
    const { kafka: kc, consumer: cc } = o.config;
    this.deadline = new ShutdownDeadline(o.signal, o.config.shutdownTimeoutMs);
    o.signal.addEventListener('abort', this.#onSignal, { once: true });
    if (o.signal.aborted) this.#onSignal(); // signalled while it was starting: an aborted signal fires no event
    const { kafka, connections, store, metrics } = wired;
    this.consumer = wireSettlementConsumer(o.config, o.logger, {
      kafka,
      connections,
      loadStoredOffsets: () => store.storedOffsets(cc.groupId, kc.topic),
      handle: (batch) => storeBatch(this, batch),
      onFatal: (error) => {
        this.fatal ??= error;
        this.wake.abort();
      },
      onRecordsLost: (lost, wholeAssignment) => metrics.recordsLost(lost, wholeAssignment),
      ...(o.tuning?.maxBytesPerPartition ? { maxBytesPerPartition: o.tuning.maxBytesPerPartition } : {}),
    });
    // ready: joined, and no Kafka request timed out (nor connection failed) since the last fetch that succeeded
    metrics.watchReadiness(() => this.consumer.ready);
  }

  stopListening(): void {
    this.o.signal.removeEventListener('abort', this.#onSignal);
  }
}

/** The adapters and the metrics (the holiday data's horizon, stale executions); the topics must exist, else it closes what it opened. */
async function wire(o: RunConsumerOptions, log: Logger): Promise<Wired> {
  const { kafka: kc } = o.config;
  // the holiday data's horizon as a gauge, so an alert fires weeks before the payout windows rest on unverified days
  const calendar = await createBusinessCalendar({ overridesFile: o.config.calendar.overridesFile }).catch((error: unknown) => {
    log.warn({ err: error }, 'the holiday calendar could not be read: settle_calendar_horizon_days_remaining is not exported (see settle doctor)');
    return null;
  });
  const jobs = wireJobAdmin(o.config, 1);
  const metrics = new ConsumerMetrics(kc.topic, {
    ...(calendar
      ? {
          horizonDaysRemaining: () => calendarHorizonStatus(calendar)?.daysRemaining ?? null,
          isBusinessDay: () => calendar.isBusinessDay(todayInSeoul(new Date())),
        }
      : {}),
    staleExecutions: cachedFor(10_000, () =>
      jobs.value.staleCount().catch((error: unknown) => {
        log.debug({ err: error }, 'could not count stale job executions');
        return null;
      }),
    ),
  });
  const ingest = wireIngest(o.config, o.logger, {
    ...(o.tuning?.rowsPerStatement ? { rowsPerStatement: o.tuning.rowsPerStatement } : {}),
    ...(o.dial ? { dial: o.dial } : {}),
    onRetry: ({ step, attempt, delayMs, error }) => {
      metrics.retry(step);
      log.warn({ step, attempt, delayMs, code: isSettleError(error) ? error.code : undefined, err: error }, 'transient failure, retrying');
    },
  });
  try {
    await ingest.requireTopics();
  } catch (error) {
    await ingest.pool.end().catch(() => undefined);
    await jobs.close().catch(() => undefined);
    throw error;
  }
  return { ...ingest, jobs, metrics };
}

/** /healthz (no fatal error), /readyz (the consumer is ready) and /metrics; logs the start. */
async function startHealth(run: ConsumerRun): Promise<HealthServer> {
  const { o, log, consumer } = run;
  const { kafka: kc, consumer: cc } = o.config;
  const server = await startHealthServer({
    host: cc.metricsHost,
    port: cc.metricsPort,
    registry: run.wired.metrics.registry,
    isHealthy: () => run.fatal === null,
    isReady: () => consumer.ready,
  });
  log.info({ metrics: server.url, group: cc.groupId, topic: kc.topic, concurrency: cc.concurrency }, 'consumer starting');
  o.onListening?.(server.url);
  return server;
}

/** Checks the migrations, connects the dead-letter producer and joins the group (unless stopped meanwhile). */
async function connect(run: ConsumerRun): Promise<void> {
  const { o, wired, wake } = run;
  await wired.store.storedOffsets(o.config.consumer.groupId, o.config.kafka.topic); // fails fast (usage error) when migrations are missing
  await wired.producer.connect();
  if (!wake.signal.aborted) await untilAborted(run.consumer.start(), wake.signal);
}

/** Updates the lag gauge until the signal or a fatal error, or, with --until-idle, until every assigned partition is caught up. */
async function consumeUntilStopped(run: ConsumerRun): Promise<void> {
  const { o, log, wake, consumer } = run;
  while (!wake.signal.aborted) {
    if ((await untilAborted(observe(consumer, run.wired.metrics, log), wake.signal)) && o.untilIdle) {
      run.stoppedBy = 'idle';
      return;
    }
    await abortableSleep(o.untilIdle ? 250 : 5_000, wake.signal).catch(() => undefined);
  }
}

/**
 * Within the deadline (after a signal: what is left of it, less a reserve for the exit): drains the consumer and
 * closes the adapters, keeps /metrics up for a scrape after lost records, closes it; then reports the stop.
 */
async function shutDown(run: ConsumerRun, server: HealthServer): Promise<void> {
  const { deadline } = run;
  run.stopListening();
  deadline.begin();
  try {
    await deadline.within(
      drainAndClose(run),
      `the stop could not finish within SHUTDOWN_TIMEOUT_MS (${deadline.deadlineMs} ms); in-flight transactions are rolled back, stored offsets stay consistent`,
    );
    run.stoppedInTime = true;
    await lingerForScrape(run, server);
    await server.close();
  } finally {
    report(run);
  }
}

/** Stops the consumer, then the producer and the pools, in that order; a step that fails is logged and the next one runs. */
async function drainAndClose(run: ConsumerRun): Promise<void> {
  const { producer, pool, jobs } = run.wired;
  const steps = [() => drain(run), () => producer.disconnect(), () => pool.end(), () => jobs.close()];
  for (const step of steps) await step().catch((error: unknown) => run.log.warn({ err: error }, 'shutdown step failed'));
}

/** Stops the consumer: the batches in flight commit, unless still running part way to the deadline (a long lock wait): those are rolled back. */
async function drain(run: ConsumerRun): Promise<void> {
  const { log, wired } = run;
  const rollBack = () => void wired.store.abortInFlight().then((n) => n > 0 && log.warn({ batches: n }, 'rolled back batches still in flight at shutdown'));
  const late = run.deadline.partWay(ROLL_BACK_IN_FLIGHT_AT);
  late.addEventListener('abort', rollBack, { once: true });
  await run.consumer.stop().finally(() => late.removeEventListener('abort', rollBack));
}

/**
 * Records lost (STORED_OFFSET_BELOW_LOG_START): the process would be gone before Prometheus scrapes
 * settle_consumer_records_lost, so /metrics waits for one scrape, at most lossScrapeWaitMs (cut short by a signal;
 * not with --until-idle).
 */
async function lingerForScrape(run: ConsumerRun, server: HealthServer): Promise<void> {
  const { o, fatal, log } = run;
  if (o.untilIdle || !isSettleError(fatal) || fatal.code !== 'STORED_OFFSET_BELOW_LOG_START') return;
  const ms = o.lossScrapeWaitMs ?? LOSS_SCRAPE_WAIT_MS;
  const give = AbortSignal.any([o.signal, AbortSignal.timeout(ms)]);
  log.info({ waitMs: ms }, 'records lost: /metrics stays up until the next scrape');
  if (!(await server.nextScrape(give))) log.warn({ waitMs: ms }, 'records lost: /metrics was not scraped before the exit');
}

/** The process's own measure of its stop, from the signal (nothing without one); clears the deadline's timers. */
function report(run: ConsumerRun): void {
  const { deadline, fatal, log } = run;
  deadline.report(log, { command: 'consume', code: run.stoppedInTime ? (isSettleError(fatal) ? fatal.code : null) : 'SHUTDOWN_DEADLINE_EXCEEDED' });
  deadline.dispose();
}

/** The consumer group's fatal error, thrown; else the summary, logged and returned. */
function finish(run: ConsumerRun): ConsumeSummary {
  const { o, fatal, log } = run;
  if (fatal !== null) throw isSettleError(fatal) ? fatal : new SettleError('CONSUMER_FAILED', `consumer failed: ${(fatal as Error).message}`, { cause: fatal });
  const summary = run.totals.summary({
    group: o.config.consumer.groupId,
    topic: o.config.kafka.topic,
    stoppedBy: run.stoppedBy,
    durationMs: performance.now() - run.started,
  });
  log.info(summary, 'consumer stopped');
  return summary;
}

/** One batch into MySQL, counted, measured and logged; false when the shutdown rolled it back (INGEST_ABORTED). */
async function storeBatch(run: ConsumerRun, b: ConsumedBatch): Promise<boolean> {
  const { o, log, totals, wired } = run;
  const t0 = performance.now();
  try {
    const outcome = await wired.ingest(
      { group: o.config.consumer.groupId, topic: b.topic, partition: b.partition, records: b.records, nextOffset: b.nextOffset },
      { heartbeat: b.heartbeat, signal: b.signal },
    );
    const t1 = performance.now();
    totals.add(outcome, t0, t1);
    wired.metrics.batch(outcome, (t1 - t0) / 1000);
    const { records, inserted, updated, unchanged, deadLettered, nextOffset } = outcome;
    log.info({ partition: b.partition, records, inserted, updated, unchanged, deadLettered, nextOffset, ms: Math.round(t1 - t0) }, 'batch stored');
    return true;
  } catch (error) {
    if (isSettleError(error) && error.code === 'INGEST_ABORTED') return false;
    throw error;
  }
}

/** Updates the lag gauge; true when every assigned partition's stored offset reached its high watermark. */
async function observe(consumer: KafkaSettlementConsumer, metrics: ConsumerMetrics, log: Logger): Promise<boolean> {
  if (!consumer.joined) return false;
  try {
    const marks = await consumer.watermarks();
    const positions = consumer.positions();
    const lag = new Map<number, number>();
    let idle = true;
    for (const p of consumer.assigned()) {
      const high = marks.get(p)?.high ?? 0;
      const at = positions.get(p);
      if (at === undefined || at < high) idle = false;
      lag.set(p, Math.max(0, high - (at ?? 0)));
    }
    metrics.setLag(lag);
    return idle;
  } catch (error) {
    log.debug({ err: error }, 'could not read watermarks');
    return false;
  }
}

/** `work`, or false as soon as `signal` aborts (the work goes on in the background and is abandoned). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | false> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<T | false>((resolve, reject) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** `load` at most once per `ms`: a scrape every few seconds must not become a query every few seconds. */
function cachedFor<T>(ms: number, load: () => Promise<T>): () => Promise<T> {
  let at = -Infinity;
  let value: Promise<T> | null = null;
  return () => {
    if (value === null || performance.now() - at > ms) {
      at = performance.now();
      value = load();
    }
    return value;
  };
}
