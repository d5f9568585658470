import type { ISocketFactory } from 'kafkajs';
import { abortableSleep } from '../../application/shared/retry.js';
import { isSettleError, SettleError } from '../../domain/shared/settle-error.js';
import type { Config } from '../../infrastructure/config/config.js';
import type { BatchHandler, KafkaSettlementConsumer } from '../../infrastructure/kafka/kafka-settlement-consumer.js';
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

/** `settle consume`: wires the adapters, runs until a signal, idleness or a fatal error, then shuts down within the deadline. */
export async function runConsumer(o: RunConsumerOptions): Promise<ConsumeSummary> {
  const started = performance.now();
  const { kafka: kc, consumer: cc } = o.config;
  const log = o.logger.child({ component: 'consume' });
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
  const totals = new ConsumeTotals();
  const { kafka, connections, pool, producer, store, ingest, requireTopics } = wireIngest(o.config, o.logger, {
    ...(o.tuning?.rowsPerStatement ? { rowsPerStatement: o.tuning.rowsPerStatement } : {}),
    ...(o.dial ? { dial: o.dial } : {}),
    onRetry: ({ step, attempt, delayMs, error }) => {
      metrics.retry(step);
      log.warn({ step, attempt, delayMs, code: isSettleError(error) ? error.code : undefined, err: error }, 'transient failure, retrying');
    },
  });
  try {
    await requireTopics();
  } catch (error) {
    await pool.end().catch(() => undefined);
    await jobs.close().catch(() => undefined);
    throw error;
  }
  let fatal: unknown = null;
  const wake = new AbortController();
  // the shutdown deadline runs from the signal, whatever the consumer is doing then (a reconnect, a watermark
  // read against a dead broker): nothing below waits on those once the signal came
  const deadline = new ShutdownDeadline(o.signal, o.config.shutdownTimeoutMs);
  const onSignal = () => wake.abort();
  o.signal.addEventListener('abort', onSignal, { once: true });
  if (o.signal.aborted) onSignal(); // signalled while it was starting: an aborted signal fires no event

  const handle: BatchHandler = async (b) => {
    const t0 = performance.now();
    try {
      const outcome = await ingest(
        { group: cc.groupId, topic: b.topic, partition: b.partition, records: b.records, nextOffset: b.nextOffset },
        { heartbeat: b.heartbeat, signal: b.signal },
      );
      const t1 = performance.now();
      totals.add(outcome, t0, t1);
      metrics.batch(outcome, (t1 - t0) / 1000);
      const { records, inserted, updated, unchanged, deadLettered, nextOffset } = outcome;
      log.info({ partition: b.partition, records, inserted, updated, unchanged, deadLettered, nextOffset, ms: Math.round(t1 - t0) }, 'batch stored');
      return true;
    } catch (error) {
      if (isSettleError(error) && error.code === 'INGEST_ABORTED') return false;
      throw error;
    }
  };
  const consumer = wireSettlementConsumer(o.config, o.logger, {
    kafka,
    connections,
    loadStoredOffsets: () => store.storedOffsets(cc.groupId, kc.topic),
    handle,
    onFatal: (error) => {
      fatal ??= error;
      wake.abort();
    },
    onRecordsLost: (lost, wholeAssignment) => metrics.recordsLost(lost, wholeAssignment),
    ...(o.tuning?.maxBytesPerPartition ? { maxBytesPerPartition: o.tuning.maxBytesPerPartition } : {}),
  });
  // ready: joined, and no Kafka request timed out (nor connection failed) since the last fetch that succeeded
  metrics.watchReadiness(() => consumer.ready);
  const server = await startHealthServer({
    host: cc.metricsHost,
    port: cc.metricsPort,
    registry: metrics.registry,
    isHealthy: () => fatal === null,
    isReady: () => consumer.ready,
  });
  log.info({ metrics: server.url, group: cc.groupId, topic: kc.topic, concurrency: cc.concurrency }, 'consumer starting');
  o.onListening?.(server.url);

  let stoppedBy: 'signal' | 'idle' = 'signal';
  try {
    await store.storedOffsets(cc.groupId, kc.topic); // fails fast (usage error) when migrations are missing
    await producer.connect();
    if (!wake.signal.aborted) await untilAborted(consumer.start(), wake.signal);
    while (!wake.signal.aborted) {
      if ((await untilAborted(observe(consumer, metrics, log), wake.signal)) && o.untilIdle) {
        stoppedBy = 'idle';
        break;
      }
      await abortableSleep(o.untilIdle ? 250 : 5_000, wake.signal).catch(() => undefined);
    }
  } finally {
    o.signal.removeEventListener('abort', onSignal);
    // after a signal: what is left of the deadline, less a reserve for the exit (presentation/shutdown)
    const left = deadline.leftMs();
    // past 60% of it, batches still in flight (a long lock wait) are rolled back rather than awaited
    const stopConsumer = async () => {
      const soft = setTimeout(
        () => void store.abortInFlight().then((n) => n > 0 && log.warn({ batches: n }, 'rolled back batches still in flight at shutdown')),
        left * 0.6,
      );
      await consumer.stop().finally(() => clearTimeout(soft));
    };
    let stoppedInTime = false;
    try {
      await shutdown(left, o.config.shutdownTimeoutMs, log, [stopConsumer, () => producer.disconnect(), () => pool.end(), () => jobs.close()]);
      stoppedInTime = true;
      // the process would be gone before Prometheus scrapes settle_consumer_records_lost: wait for one scrape
      if (!o.untilIdle && isSettleError(fatal) && fatal.code === 'STORED_OFFSET_BELOW_LOG_START')
        await untilScraped(server, o.lossScrapeWaitMs ?? LOSS_SCRAPE_WAIT_MS, o.signal, log);
      await server.close();
    } finally {
      // the process's own measure of its stop, from the signal (nothing without one)
      deadline.report(log, { command: 'consume', code: stoppedInTime ? (isSettleError(fatal) ? fatal.code : null) : 'SHUTDOWN_DEADLINE_EXCEEDED' });
      deadline.dispose();
    }
  }
  if (fatal !== null) throw isSettleError(fatal) ? fatal : new SettleError('CONSUMER_FAILED', `consumer failed: ${(fatal as Error).message}`, { cause: fatal });
  const summary = totals.summary({ group: cc.groupId, topic: kc.topic, stoppedBy, durationMs: performance.now() - started });
  log.info(summary, 'consumer stopped');
  return summary;
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

/** Waits for the next /metrics scrape, at most `ms` (cut short by a signal). */
async function untilScraped(server: HealthServer, ms: number, signal: AbortSignal, log: Logger): Promise<void> {
  const give = AbortSignal.any([signal, AbortSignal.timeout(ms)]);
  log.info({ waitMs: ms }, 'records lost: /metrics stays up until the next scrape');
  if (!(await server.nextScrape(give))) log.warn({ waitMs: ms }, 'records lost: /metrics was not scraped before the exit');
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

/** Runs the steps in order; past `leftMs` it gives up (an unfinished transaction is rolled back by MySQL). */
async function shutdown(leftMs: number, deadlineMs: number, log: Logger, steps: ReadonlyArray<() => Promise<void>>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), leftMs)));
  const work = (async () => {
    for (const step of steps) await step().catch((error: unknown) => log.warn({ err: error }, 'shutdown step failed'));
    return 'done' as const;
  })();
  const result = await Promise.race([work, deadline]);
  clearTimeout(timer);
  if (result === 'late')
    throw new SettleError(
      'SHUTDOWN_DEADLINE_EXCEEDED',
      `the stop could not finish within SHUTDOWN_TIMEOUT_MS (${deadlineMs} ms); in-flight transactions are rolled back, stored offsets stay consistent`,
    );
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
