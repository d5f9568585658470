import { Gauge, Registry } from 'prom-client';

/**
 * What a short-lived `settle` command leaves behind for Prometheus: its last run, pushed to a Pushgateway.
 *
 * Every push is a POST to /metrics/job/<job>/<grouping…>: the Pushgateway replaces only the metric families
 * pushed (by name) within that group and keeps the others. A run that did not succeed therefore omits
 * `*_last_success_timestamp_seconds`, and the timestamp of the last success of that window survives it (a PUT
 * would have erased it). A push never throws and never changes a run's outcome: a failure is logged as a warning
 * and returned.
 */

export const PRODUCE_JOB = 'settle_produce';
export const RECONCILE_JOB = 'settle_reconcile';

export const PRODUCE_OUTCOMES = ['COMPLETED', 'COMPLETED_WITH_REJECTS', 'STOPPED', 'DRY_RUN', 'FAILED'] as const;
export type ProduceRunOutcome = (typeof PRODUCE_OUTCOMES)[number];
export const RECONCILE_OUTCOMES = ['OK', 'MISMATCH', 'FAILED'] as const;
export type ReconcileRunOutcome = (typeof RECONCILE_OUTCOMES)[number];

export interface PushedWindow {
  readonly from: string; // YYYY-MM-DD
  readonly to: string; // YYYY-MM-DD
  readonly dateType: string; // soldDate | paidOutDate
}

export interface ProduceRunReport {
  readonly window: PushedWindow;
  /** A worker of a sharded window (its own group, label shard="<index>"); null/absent = a single worker. */
  readonly shard?: { readonly index: number; readonly count: number } | null;
  /** The payout date (YYYY-MM-DD) whose window this is, when produce computed it from the calendar; null for --from/--to. */
  readonly payoutDate?: string | null;
  readonly outcome: ProduceRunOutcome;
  readonly exitCode: number;
  readonly counts: { readonly pages: number; readonly rowsFetched: number; readonly rowsPublished: number; readonly rowsRejected: number };
  readonly durationMs: number;
  readonly finishedAt: Date;
  /** The SettleError code of a failed run (TOSS_PAGE_LIMIT_EXCEEDED …). */
  readonly errorCode?: string | null;
}

export interface ReconcileRunReport {
  readonly window: PushedWindow;
  readonly outcome: ReconcileRunOutcome;
  readonly exitCode: number;
  /** Dates of the window whose Toss, Kafka and MySQL figures differ (0 when OK; omit when the run failed). */
  readonly mismatchedDates?: number | null;
  readonly durationMs: number;
  readonly finishedAt: Date;
  readonly errorCode?: string | null;
}

/** The part of a pino logger a push uses. */
export interface PushLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface PushOptions {
  /** Deadline of the whole request (default 5000 ms). */
  readonly timeoutMs?: number;
  readonly logger?: PushLogger;
  /** Aborts the push too (e.g. the command's SIGTERM signal). */
  readonly signal?: AbortSignal;
  /** For tests. */
  readonly fetch?: typeof fetch;
}

export type PushResult = { readonly ok: true; readonly target: string } | { readonly ok: false; readonly error: string };

const DEFAULT_TIMEOUT_MS = 5_000;
const SEOUL_OFFSET_SECONDS = 9 * 3600; // Asia/Seoul has no daylight saving time

/** The grouping key of a produce run: job="settle_produce", window="<from>_<to>_<dateType>"[, shard="<index>"]. */
export function produceGrouping(run: Pick<ProduceRunReport, 'window' | 'shard'>): Record<string, string> {
  const g: Record<string, string> = { job: PRODUCE_JOB, window: windowKey(run.window) };
  if (run.shard && run.shard.count > 1) g.shard = String(run.shard.index);
  return g;
}

export function reconcileGrouping(run: Pick<ReconcileRunReport, 'window'>): Record<string, string> {
  return { job: RECONCILE_JOB, window: windowKey(run.window) };
}

export const windowKey = (w: PushedWindow): string => `${w.from}_${w.to}_${w.dateType}`;

/** A produce run that loaded its window: cron read it as success (exit 0, COMPLETED or rejects within --max-rejects). */
export const isProduceSuccess = (run: Pick<ProduceRunReport, 'outcome' | 'exitCode'>): boolean =>
  run.exitCode === 0 && (run.outcome === 'COMPLETED' || run.outcome === 'COMPLETED_WITH_REJECTS');

/**
 * Pushes the outcome of one `settle produce` run (success or failure) to the Pushgateway at `url`.
 * Metrics (one group per window, and per shard when sharded):
 *   settle_producer_last_run_timestamp_seconds, settle_producer_last_run_duration_seconds,
 *   settle_producer_last_run_exit_code, settle_producer_last_run_outcome{outcome} (1 for this run's, 0 for the others),
 *   settle_producer_last_run_rows{kind=fetched|published|rejected}, settle_producer_last_run_pages,
 *   settle_producer_last_run_error{code} (code="none" and 0 when the run did not fail),
 *   settle_producer_shard_count, settle_producer_window_payout_date_timestamp_seconds (when payoutDate is known),
 *   settle_producer_last_success_timestamp_seconds (only pushed by a successful run: the previous value survives a failure).
 */
export async function pushProduceRun(url: string, run: ProduceRunReport, options: PushOptions = {}): Promise<PushResult> {
  let registry: Registry;
  try {
    registry = produceRegistry(run);
  } catch (error) {
    return fail(url, `cannot build the metrics: ${(error as Error).message}`, options);
  }
  return push(url, produceGrouping(run), registry, options);
}

/**
 * Pushes the outcome of one `settle reconcile` run: settle_reconcile_last_run_timestamp_seconds,
 * settle_reconcile_last_run_outcome{outcome=OK|MISMATCH|FAILED}, settle_reconcile_last_run_exit_code,
 * settle_reconcile_last_run_mismatched_dates (when known), settle_reconcile_last_run_duration_seconds and
 * settle_reconcile_last_ok_timestamp_seconds (only when OK).
 */
export async function pushReconcileRun(url: string, run: ReconcileRunReport, options: PushOptions = {}): Promise<PushResult> {
  let registry: Registry;
  try {
    registry = reconcileRegistry(run);
  } catch (error) {
    return fail(url, `cannot build the metrics: ${(error as Error).message}`, options);
  }
  return push(url, reconcileGrouping(run), registry, options);
}

/**
 * What every pushed run has: when it ended, how long it took, its exit code and its outcome (1 for it, 0 for the
 * others, so a query never sees a stale outcome), on a registry of its own; `gauge` adds the command's own.
 */
function lastRunRegistry<O extends string>(
  prefix: string,
  what: string,
  run: { readonly finishedAt: Date; readonly durationMs: number; readonly exitCode: number; readonly outcome: O },
  outcomes: readonly O[],
  help: { readonly timestamp: string; readonly exitCode: string },
) {
  const registry = new Registry();
  const gauge = (name: string, text: string, value: number) => new Gauge({ name, help: text, registers: [registry] }).set(value);
  const finished = run.finishedAt.getTime() / 1000;
  gauge(`${prefix}_last_run_timestamp_seconds`, help.timestamp, finished);
  gauge(`${prefix}_last_run_duration_seconds`, `Duration of the last ${what} of this window`, run.durationMs / 1000);
  gauge(`${prefix}_last_run_exit_code`, help.exitCode, run.exitCode);
  const outcome = new Gauge({
    name: `${prefix}_last_run_outcome`,
    help: `Outcome of the last ${what} of this window: 1 for it, 0 for the others`,
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const o of outcomes) outcome.set({ outcome: o }, o === run.outcome ? 1 : 0);
  return { registry, gauge, finished };
}

/** The registry a produce run pushes (exported for tests). */
export function produceRegistry(run: ProduceRunReport): Registry {
  const { registry, gauge, finished } = lastRunRegistry('settle_producer', 'run', run, PRODUCE_OUTCOMES, {
    timestamp: 'When the last run of this window ended (success or failure), Unix seconds',
    exitCode: 'Exit code of the last run of this window (0 = success)',
  });
  const rows = new Gauge({
    name: 'settle_producer_last_run_rows',
    help: 'Rows of the last run of this window, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  rows.set({ kind: 'fetched' }, run.counts.rowsFetched);
  rows.set({ kind: 'published' }, run.counts.rowsPublished);
  rows.set({ kind: 'rejected' }, run.counts.rowsRejected);
  gauge('settle_producer_last_run_pages', 'Toss pages fetched by the last run of this window', run.counts.pages);
  const error = new Gauge({
    name: 'settle_producer_last_run_error',
    help: 'Error code of the last run of this window (1), or code="none" (0)',
    labelNames: ['code'],
    registers: [registry],
  });
  if (run.errorCode) error.set({ code: run.errorCode.slice(0, 100) }, 1);
  else error.set({ code: 'none' }, 0);
  gauge('settle_producer_shard_count', 'Workers the window is split across (1 = not sharded)', run.shard?.count ?? 1);
  if (run.payoutDate)
    gauge(
      'settle_producer_window_payout_date_timestamp_seconds',
      'Midnight (Asia/Seoul) of the payout date this window was computed for, Unix seconds',
      seoulMidnight(run.payoutDate),
    );
  if (isProduceSuccess(run)) gauge('settle_producer_last_success_timestamp_seconds', 'When a run last loaded this window successfully, Unix seconds', finished);
  return registry;
}

export function reconcileRegistry(run: ReconcileRunReport): Registry {
  const { registry, gauge, finished } = lastRunRegistry('settle_reconcile', 'reconcile', run, RECONCILE_OUTCOMES, {
    timestamp: 'When the last reconcile of this window ended, Unix seconds',
    exitCode: 'Exit code of the last reconcile of this window (0 = all three agree)',
  });
  if (run.mismatchedDates !== undefined && run.mismatchedDates !== null)
    gauge('settle_reconcile_last_run_mismatched_dates', 'Dates of the window where Toss, Kafka and MySQL differ, last reconcile', run.mismatchedDates);
  if (run.outcome === 'OK' && run.exitCode === 0)
    gauge('settle_reconcile_last_ok_timestamp_seconds', 'When a reconcile of this window last found all three in agreement, Unix seconds', finished);
  return registry;
}

/** The Pushgateway's address for logs and errors: scheme, host, port and path, never the user or password. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '')}`;
  } catch {
    return '[invalid url]';
  }
}

/** The group's path segments; a value with a slash (or an empty one) goes base64url-encoded (`label@base64/…`). */
export function groupingPath(grouping: Record<string, string>): string {
  const { job, ...rest } = grouping;
  if (!job) throw new Error('a grouping needs a job');
  const seg = (name: string, value: string) =>
    value === '' || value.includes('/') ? `/${name}@base64/${Buffer.from(value).toString('base64url') || '='}` : `/${name}/${encodeURIComponent(value)}`;
  return `/metrics${seg('job', job)}${Object.entries(rest)
    .map(([k, v]) => seg(k, v))
    .join('')}`;
}

async function push(url: string, grouping: Record<string, string>, registry: Registry, options: PushOptions): Promise<PushResult> {
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return fail(url, 'PUSHGATEWAY_URL is not an http(s) URL', options);
  }
  const headers: Record<string, string> = { 'content-type': registry.contentType };
  if (target.username || target.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  target.pathname = `${target.pathname.replace(/\/+$/, '')}${groupingPath(grouping)}`;
  target.search = '';
  target.hash = '';
  const shown = displayUrl(target.toString());
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
  try {
    const body = await registry.metrics();
    const response = await (options.fetch ?? fetch)(target, { method: 'POST', headers, body, signal: AbortSignal.any(signals), redirect: 'error' });
    const text = await response.text().catch(() => '');
    if (!response.ok) return fail(url, `HTTP ${response.status} from ${shown}${text ? `: ${text.trim().slice(0, 300)}` : ''}`, options);
    options.logger?.debug({ pushgateway: shown, grouping }, 'pushed the run metrics to the Pushgateway');
    return { ok: true, target: shown };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const reason =
      e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.name === 'AbortError' ? 'aborted' : (e.cause?.code ?? e.cause?.message ?? e.message);
    return fail(url, `POST ${shown} failed: ${reason}`, options);
  }
}

function fail(url: string, error: string, options: PushOptions): PushResult {
  options.logger?.warn(
    { code: 'PUSHGATEWAY_PUSH_FAILED', pushgateway: displayUrl(url), error },
    'could not push the run metrics to the Pushgateway (the run result is unchanged)',
  );
  return { ok: false, error };
}

function seoulMidnight(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`payoutDate must be YYYY-MM-DD, got ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000 - SEOUL_OFFSET_SECONDS;
}
