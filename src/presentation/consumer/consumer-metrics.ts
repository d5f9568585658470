import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestOutcome } from '../../application/ingest/ingest-batch.js';

/** Field names come from Toss: bounded in length so one odd name cannot blow up a series label. */
const MAX_FIELD_LABEL = 100;

/** Values read when Prometheus scrapes (null: unknown right now, the series is left out). */
export interface ConsumerProbes {
  readonly horizonDaysRemaining?: () => number | null;
  readonly isBusinessDay?: () => boolean;
  readonly staleExecutions?: () => Promise<number | null>;
}

/** The loader's Prometheus metrics, on a registry of its own (tests build several side by side). */
export class ConsumerMetrics {
  readonly registry = new Registry();
  private readonly records = new Counter({
    name: 'settle_consumer_records_total',
    help: 'Kafka records consumed (valid and poison)',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  private readonly rows = new Counter({
    name: 'settle_consumer_rows_total',
    help: 'Settlement rows upserted, by outcome',
    labelNames: ['topic', 'outcome'],
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({
    name: 'settle_consumer_dead_letters_total',
    help: 'Poison records sent to the DLQ, by error code',
    labelNames: ['topic', 'code'],
    registers: [this.registry],
  });
  private readonly unknownFields = new Counter({
    name: 'settle_consumer_unknown_fields_total',
    help: 'Rows stored carrying a field Toss sent that the settlement schema does not model (kept in unknown_fields), by field name; evolve the schema',
    labelNames: ['topic', 'field'],
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'settle_consumer_retries_total',
    help: 'Retries of transient failures, by step',
    labelNames: ['topic', 'step'],
    registers: [this.registry],
  });
  private readonly batchSeconds = new Histogram({
    name: 'settle_consumer_batch_duration_seconds',
    help: 'Time to decode, dead-letter and store one partition batch',
    labelNames: ['topic'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly lag = new Gauge({
    name: 'settle_consumer_lag',
    help: 'Records between the stored offset and the end of the partition',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  private readonly lost = new Gauge({
    name: 'settle_consumer_records_lost',
    help: 'Records Kafka deleted (retention) before this group loaded them: log start offset minus stored offset, 0 when none; set for every assigned partition on each assignment. Above 0 the consumer stops (STORED_OFFSET_BELOW_LOG_START)',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });

  /**
   * `probes` are read at each scrape: the holiday calendar's horizon and whether today (Asia/Seoul) is a business
   * day (alert rules use both), and the stale STARTED producer executions found in MySQL.
   */
  constructor(
    private readonly topic: string,
    probes: ConsumerProbes = {},
  ) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const ready = () => this.#ready;
    new Gauge({
      name: 'settle_consumer_ready',
      help: '1 while the consumer is in its group and reaches Kafka (what /readyz answers), else 0: 0 from a Kafka request that timed out or a failed connection until a fetch succeeds again',
      registers,
      collect() {
        this.set(ready()() ? 1 : 0);
      },
    });
    const { horizonDaysRemaining, isBusinessDay, staleExecutions } = probes;
    if (horizonDaysRemaining)
      new Gauge({
        name: 'settle_calendar_horizon_days_remaining',
        help: 'Days (Asia/Seoul) until the end of the last year the Korean holiday data is verified for; negative once past it (settle calendar horizon)',
        registers,
        collect() {
          const days = horizonDaysRemaining();
          if (days !== null) this.set(days);
        },
      });
    if (isBusinessDay)
      new Gauge({
        name: 'settle_calendar_business_day',
        help: '1 when today (Asia/Seoul) is a Korean business day by the business calendar (holiday overrides applied), else 0',
        registers,
        collect() {
          this.set(isBusinessDay() ? 1 : 0);
        },
      });
    if (staleExecutions)
      new Gauge({
        name: 'settle_jobs_stale_executions',
        help: 'Producer job executions STARTED whose heartbeat is older than JOB_HEARTBEAT_TIMEOUT_MS (a killed or hung producer), read from MySQL',
        registers,
        async collect() {
          const n = await staleExecutions();
          if (n !== null) this.set(n);
        },
      });
  }

  #ready: () => boolean = () => false;

  /** What the readiness gauge reads: the same test as /readyz. */
  watchReadiness(isReady: () => boolean): void {
    this.#ready = isReady;
  }

  batch(outcome: IngestOutcome, seconds: number): void {
    const t = this.topic;
    this.records.inc({ topic: t }, outcome.records);
    this.rows.inc({ topic: t, outcome: 'inserted' }, outcome.inserted);
    this.rows.inc({ topic: t, outcome: 'updated' }, outcome.updated);
    this.rows.inc({ topic: t, outcome: 'unchanged' }, outcome.unchanged);
    for (const [code, n] of Object.entries(outcome.deadLetterCodes)) this.deadLetters.inc({ topic: t, code }, n);
    for (const [field, n] of Object.entries(outcome.unknownFields)) this.unknownFields.inc({ topic: t, field: field.slice(0, MAX_FIELD_LABEL) }, n);
    this.batchSeconds.observe({ topic: t }, seconds);
  }

  retry(step: string): void {
    this.retries.inc({ topic: this.topic, step });
  }

  /** Records lost per partition: a whole assignment replaces the series (partitions no longer owned disappear). */
  recordsLost(lostByPartition: ReadonlyMap<number, number>, wholeAssignment: boolean): void {
    if (wholeAssignment) this.lost.reset();
    for (const [partition, lost] of lostByPartition) this.lost.set({ topic: this.topic, partition: String(partition) }, lost);
  }

  /** Replaces the lag series: partitions this process no longer owns disappear. */
  setLag(lagByPartition: ReadonlyMap<number, number>): void {
    this.lag.reset();
    for (const [partition, lag] of lagByPartition) this.lag.set({ topic: this.topic, partition: String(partition) }, lag);
  }
}
