import { Kafka, logLevel } from 'kafkajs';
import mysql, { type Pool } from 'mysql2/promise';
import { runSettle, startSettle, type CliRun, type RunningCli } from '../../support/producer-cli.js';
import { uniqueName } from '../../support/producer-stack.js';
import type { RecordedRequest, TossFake } from '../../support/toss-fake.js';
import type { Dataset, Expected } from './dataset.js';
import { faultStack } from './fault-stack.js';
import type { PrivateMariaDb } from './private-mariadb.js';
import { recordResult, type Bounds, type ScenarioResult } from './results.js';
import { SupervisedConsumer } from './supervised-consumer.js';
import { verifyScenario } from './verify.js';

export interface SuiteContext {
  readonly dataset: Dataset;
  readonly expected: Expected;
  /** Toss over the dataset (test/support/toss-fake.ts). */
  readonly toss: TossFake;
  /** Every request for a page of the dataset's window so far, in arrival order. */
  pageRequests(): readonly RecordedRequest[];
  readonly db: PrivateMariaDb;
  readonly secretKey: string;
  readonly pageSize: number;
}

/** Polls `check` until it returns something other than null/false; `what` names it when the guard trips. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | false> | T | null | false, timeoutMs = 300_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`hang guard: no ${what} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a settle process prints when it meets an unreachable or misbehaving Kafka broker (kafkajs or our own words). */
export const KAFKA_TROUBLE =
  /KafkaJSConnection|KafkaJSNumberOfRetriesExceeded|KafkaJSRequestTimeout|KafkaJSBrokerNotFound|ECONNREFUSED|ECONNRESET|Connection error|Kafka request timed out|KAFKA_[A-Z_]*(UNAVAILABLE|FAILED|TIMEOUT)/;

/** The first line of `log` from `from` on that matches `pattern`, shortened for the table; null if none. */
export function lineMatching(log: string, from: number, pattern: RegExp): string | null {
  const line = log
    .slice(from)
    .split('\n')
    .find((l) => pattern.test(l));
  if (line === undefined) return null;
  const m = pattern.exec(line);
  return m ? m[0] : line.slice(0, 80);
}

/**
 * One scenario: its own topic, consumer group and database (on the suite's private MariaDB), the settle
 * processes it started, and the faults it injected with the progress at each injection.
 */
export class Scenario {
  readonly topic = uniqueName('faults');
  readonly group = `${this.topic}_loader`;
  readonly database = this.topic;
  readonly runs: CliRun[] = [];
  readonly consumers: SupervisedConsumer[] = [];
  /** What MySQL must hold at the end; a scenario that changes Toss's data says so here. */
  expected: Expected;
  /** Records the scenario wrote to the topic itself (poison), not counted as re-published. */
  ownRecords = 0;
  /** `settle produce` runs started so far (reruns = all after the first). */
  produceRuns = 0;
  /** Why the scenario failed besides the data (a fault that missed its target): verify reports them. */
  readonly problems: string[] = [];
  readonly bounds: Bounds;
  private readonly injected: string[] = [];
  private admin: Pool | null = null;
  private kafka = new Kafka({ clientId: 'fault-suite', brokers: [faultStack.brokers], logLevel: logLevel.NOTHING });

  /** `bounds`: the consumer restarts (after exit 4) and produce reruns this scenario may need; 0 unless stated. */
  constructor(
    readonly name: string,
    readonly ctx: SuiteContext,
    bounds: Partial<Bounds> = {},
  ) {
    this.expected = ctx.expected;
    this.bounds = { restarts: bounds.restarts ?? 0, reruns: bounds.reruns ?? 0 };
  }

  /** The environment of every settle process of this scenario; `over` reroutes (a proxy) or tunes. */
  env(over: Record<string, string> = {}): Record<string, string> {
    return {
      TOSS_API_BASE_URL: this.ctx.toss.url,
      TOSS_SECRET_KEY: this.ctx.secretKey,
      TOSS_TIMEOUT_MS: '5000',
      TOSS_PAGE_SIZE: String(this.ctx.pageSize),
      KAFKA_BROKERS: faultStack.brokers,
      SCHEMA_REGISTRY_URL: faultStack.registryUrl,
      MYSQL_URL: this.ctx.db.url(this.database),
      SETTLEMENT_TOPIC: this.topic,
      CONSUMER_GROUP: this.group,
      METRICS_PORT: '0',
      SHUTDOWN_TIMEOUT_MS: '15000',
      LOG_LEVEL: 'info',
      ...over,
    };
  }

  async setup(): Promise<void> {
    const root = await mysql.createConnection({ uri: this.ctx.db.adminUrl() });
    await root.query(`CREATE DATABASE \`${this.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await root.end();
    this.admin = mysql.createPool({ uri: this.ctx.db.adminUrl(this.database), connectionLimit: 2, maxIdle: 0 });
    for (const args of [
      ['db', 'migrate'],
      ['kafka', 'init', '--partitions', '6'],
    ]) {
      const run = await this.settle(args);
      if (run.code !== 0) throw new Error(`settle ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    }
  }

  /** A settle command run to its end (kept for the secret check). */
  async settle(args: readonly string[], over: Record<string, string> = {}, timeoutMs = 600_000): Promise<CliRun> {
    if (args[0] === 'produce') this.produceRuns += 1;
    const run = await runSettle(args, this.env(over), timeoutMs);
    this.runs.push(run);
    return run;
  }

  start(args: readonly string[], over: Record<string, string> = {}): RunningCli {
    if (args[0] === 'produce') this.produceRuns += 1;
    const running = startSettle(args, this.env(over));
    void running.done.then((r) => this.runs.push(r));
    return running;
  }

  produceArgs(): string[] {
    return ['produce', '--from', this.ctx.dataset.from, '--to', this.ctx.dataset.to, '--page-size', String(this.ctx.pageSize)];
  }

  /**
   * Runs produce until it completes, rerunning on exit 4 the way cron or a Job's backoff would. Returns the
   * exit codes in order. Any other code stops the loop, and so does one rerun past the scenario's bound (the
   * table shows it and the scenario fails).
   */
  async produceUntilDone(over: Record<string, string> = {}): Promise<number[]> {
    const codes: number[] = [];
    while (this.produceRuns <= this.bounds.reruns + 1) {
      const run = await this.settle(this.produceArgs(), over);
      codes.push(run.code ?? -1);
      if (run.code !== 4) return codes;
      await sleep(2_000);
    }
    return codes;
  }

  /** `settle produce` with its stderr readable while it runs, rerun on exit 4 within the scenario's bound. */
  liveProducer(over: Record<string, string> = {}): LiveProducer {
    return new LiveProducer(this, over);
  }

  /** A consumer restarted on exit 4 up to the scenario's bound, then left stopped (a failure the table shows). */
  startConsumer(over: Record<string, string> = {}, options: { restartAfterKill?: boolean } = {}): SupervisedConsumer {
    const c = new SupervisedConsumer([], this.env(over), options.restartAfterKill ?? true, this.bounds.restarts);
    this.consumers.push(c);
    return c;
  }

  /** A query of the suite's own (as root, not through any proxy); retried while the private MariaDB restarts. */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const admin = this.admin;
    if (!admin) throw new Error('setup() first');
    for (let attempt = 1; ; attempt++) {
      try {
        const [rows] = await admin.query(sql, params);
        return rows as T[];
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (attempt >= 600 || !/ECONNREFUSED|ECONNRESET|PROTOCOL_CONNECTION_LOST|ER_SERVER_SHUTDOWN|EPIPE|ER_CONNECTION_KILLED/.test(code)) throw error;
        await sleep(250);
      }
    }
  }

  /** Records the loader has stored (Σ next_offset over the partitions): the consumer's progress. */
  async storedRecords(): Promise<number> {
    const [r] = await this.query<{ n: string | null }>('SELECT SUM(next_offset) AS n FROM consumer_offsets WHERE group_id = ? AND topic = ?', [
      this.group,
      this.topic,
    ]);
    return Number(r?.n ?? 0);
  }

  /** Rows the producer has checkpointed across this window's executions (its progress). */
  async publishedRows(): Promise<number> {
    const [r] = await this.query<{ n: string | null }>('SELECT SUM(rows_published) AS n FROM job_executions');
    return Number(r?.n ?? 0);
  }

  /** The loader's stored next offset per partition. */
  async storedOffsets(): Promise<Map<number, number>> {
    const rows = await this.query<{ p: number; o: string }>(
      'SELECT kafka_partition AS p, next_offset AS o FROM consumer_offsets WHERE group_id = ? AND topic = ?',
      [this.group, this.topic],
    );
    return new Map(rows.map((r) => [r.p, Number(r.o)]));
  }

  async highWatermarks(): Promise<Map<number, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.topic);
      return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    } finally {
      await admin.disconnect();
    }
  }

  /** Records in `<topic>.dlq`. */
  async dlqRecords(): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(`${this.topic}.dlq`);
      return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * True once every partition's stored offset reached the end of the log (the loader caught up). Throws when a
   * consumer stopped for good (an exit that is not restarted, or one restart past the bound): no waiting it out.
   */
  async caughtUp(): Promise<boolean> {
    const failed = this.consumers.find((c) => c.failure);
    if (failed?.failure)
      throw new Error(
        `a consumer stopped for good (exit ${failed.failure.code}; restarts ${failed.restarts} of ${this.bounds.restarts}): ${failed.failure.stderr.trim().split('\n').at(-1) ?? ''}`,
      );
    const highs = await this.highWatermarks().catch(() => null); // the broker may be on its way back
    if (!highs) return false;
    const stored = await this.storedOffsets();
    return [...highs].every(([p, high]) => high === 0 || stored.get(p) === high);
  }

  /**
   * Waits until `progress()` passes `atLeast`, then checks it is still below `total` (the fault lands while
   * rows are being written, not before or after), runs `inject` and records it.
   */
  async injectAt(what: string, progress: () => Promise<number>, atLeast: number, total: number, inject: () => Promise<void> | void): Promise<number> {
    const at = await waitFor(`progress ≥ ${atLeast} before "${what}"`, async () => {
      const p = await progress();
      return p >= atLeast ? p : null;
    });
    if (at >= total) throw new Error(`"${what}" came too late: progress ${at} of ${total} (the run had finished)`);
    await inject();
    this.injected.push(`${what} @${Math.round((100 * at) / total)}%`);
    return at;
  }

  /** A fault the scenario injected and checked by other means (its own note). */
  note(fault: string): void {
    this.injected.push(fault);
  }

  /**
   * Whether the fault met the process under test: `evidence` (what the process printed or did) or null, in
   * which case the scenario fails with `missed` (a fault that landed after the work was done proves nothing).
   */
  hit(evidence: string | null, missed: string): void {
    if (evidence === null) this.problems.push(`the fault missed: ${missed}`);
    else this.injected.push(evidence);
  }

  async finish(notes = ''): Promise<ScenarioResult> {
    for (const c of this.consumers) await c.stop();
    const result = await verifyScenario(this, this.injected.join('; '), notes);
    recordResult(result);
    await this.admin?.end().catch(() => undefined);
    return result;
  }
}

/**
 * `settle produce` rerun on exit 4 like Scenario.produceUntilDone (cron, a Job's backoff), with every run's
 * stderr readable while it runs, so a scenario can check what the producer printed during a fault.
 */
export class LiveProducer {
  log = '';
  readonly codes: number[] = [];
  readonly done: Promise<number[]>;
  private current: RunningCli | null = null;
  private stopped = false;

  constructor(
    private readonly s: Scenario,
    private readonly over: Record<string, string>,
  ) {
    this.done = this.loop();
  }

  private async loop(): Promise<number[]> {
    while (!this.stopped && this.s.produceRuns <= this.s.bounds.reruns + 1) {
      const running = this.s.start(this.s.produceArgs(), this.over);
      this.current = running;
      running.child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
      const run = await running.done;
      this.codes.push(run.code ?? -1);
      if (run.code !== 4) return this.codes;
      await sleep(2_000);
    }
    return this.codes;
  }

  /** After a failed scenario: no run left behind holding the window (SIGKILL, no rerun). */
  async kill(): Promise<void> {
    this.stopped = true;
    this.current?.child.kill('SIGKILL');
    await this.done;
  }
}
