import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInSeoul } from '../../../src/domain/calendar/local-date.js';
import { pushProduceRun, pushReconcileRun, type ProduceRunReport } from '../../../src/infrastructure/metrics/pushgateway.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { runConsumer } from '../../../src/presentation/consumer/consumer-runner.js';
import { ConsumerFixture, waitFor } from '../consumer/consumer-fixture.js';
import { dashboardExprs, grafanaToPromQL, mapSelectors, rules, selectors, withMatchers } from './monitoring-files.js';

// The stack's Prometheus and Pushgateway (bash scripts/stack.sh up prometheus pushgateway): Prometheus scrapes
// every second the Pushgateway and the targets listed in .stack/prometheus/targets/*.json, and loads the rules of
// deploy/monitoring/rules.
const PROMETHEUS = process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090';
const PUSHGATEWAY = process.env.PUSHGATEWAY_URL ?? 'http://127.0.0.1:9091';
const SD_DIR = process.env.PROMETHEUS_SD_DIR ?? fileURLToPath(new URL('../../../.stack/prometheus/targets', import.meta.url));

/**
 * Metrics a selector may find empty: none now (the consumer exports settle_consumer_ready,
 * settle_calendar_business_day and settle_jobs_stale_executions), so every selector must return data.
 */
const PENDING = new Set<string>();
// a recording rule over all consumers (max(settle_calendar_business_day)): it carries none of this test's labels
const DERIVED_FROM_PENDING = new Set(['settle:business_day_today_kst:bool']);

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(expr: string): Promise<PromResult[]> {
  const res = await fetch(`${PROMETHEUS}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: PromResult[] | [number, string] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  const r = body.data?.result;
  if (body.data?.resultType === 'scalar') return [{ metric: {}, value: r as [number, string] }];
  return r as PromResult[];
}

describe('Prometheus scrapes a running consumer and the Pushgateway: every expression of the rules and the dashboard has data', () => {
  let fx: ConsumerFixture;
  const stop = new AbortController();
  let consumer: Promise<unknown> | null = null;
  const id = `mon${Math.random().toString(36).slice(2, 8)}`;
  const sdFile = `${SD_DIR}/${id}.json`;
  // a window of our own, far from any real one (its groups are deleted afterwards)
  const year = 2100 + Math.floor(Math.random() * 800);
  const window = { from: `${year}-01-02`, to: `${year}-01-03`, dateType: 'soldDate' };
  const windowLabel = `${window.from}_${window.to}_${window.dateType}`;

  beforeAll(async () => {
    const ready = await fetch(`${PROMETHEUS}/-/ready`).catch(() => null);
    if (!ready?.ok) throw new Error(`no Prometheus at ${PROMETHEUS}: bash scripts/stack.sh up prometheus pushgateway`);
    const pg = await fetch(`${PUSHGATEWAY}/-/ready`).catch(() => null);
    if (!pg?.ok) throw new Error(`no Pushgateway at ${PUSHGATEWAY}: bash scripts/stack.sh up prometheus pushgateway`);
    // the rules as they are in this checkout
    expect((await fetch(`${PROMETHEUS}/-/reload`, { method: 'POST' })).ok).toBe(true);
    fx = await ConsumerFixture.create('monitoring', 2);
  });

  afterAll(async () => {
    rmSync(sdFile, { force: true });
    stop.abort();
    await consumer?.catch(() => undefined);
    for (const job of ['settle_produce', 'settle_reconcile'])
      await fetch(`${PUSHGATEWAY}/metrics/job/${job}/window/${windowLabel}`, { method: 'DELETE' }).catch(() => undefined);
    await fx?.close();
  });

  it('loads rows, a poison record, an unknown field and a retried batch while Prometheus scrapes; pushes a produce and a reconcile run', async () => {
    const settlements = Array.from({ length: 20 }, (_, i) => syntheticSettlement(i, id));
    await fx.produce(settlements);
    await runConsumer({ config: fx.config, logger: fx.logger, signal: new AbortController().signal, untilIdle: true });

    // a batch that waits on a row lock past innodb_lock_wait_timeout is retried (settle_consumer_retries_total)
    const [saved] = await fx.db.query<RowDataPacket[]>('SELECT @@global.innodb_lock_wait_timeout AS t');
    const blocker = await mysql.createConnection({ uri: fx.env.MYSQL_URL ?? '' });
    const newer = syntheticSettlement(5, id, 2);
    try {
      await fx.db.query('SET GLOBAL innodb_lock_wait_timeout = 2'); // sessions opened from now on (the consumer's pool)
      await blocker.beginTransaction();
      await blocker.query('SELECT id FROM settlements WHERE transaction_key = ? FOR UPDATE', [newer.transactionKey]);
      const unknown = { ...syntheticSettlement(100, id), unknownFields: JSON.stringify({ 'card.monitoringField': 1 }) };
      await fx.produce([newer, unknown]);
      await fx.send([{ key: 'poison', value: Buffer.from('not an avro record') }]);

      let metricsUrl = '';
      consumer = runConsumer({ config: fx.config, logger: fx.logger, signal: stop.signal, untilIdle: false, onListening: (url) => (metricsUrl = url) });
      await waitFor('the consumer metrics endpoint', async () => metricsUrl !== '', 60_000, 100);
      mkdirSync(SD_DIR, { recursive: true });
      writeFileSync(`${sdFile}.tmp`, JSON.stringify([{ targets: [new URL(metricsUrl).host], labels: { test: id } }]));
      renameSync(`${sdFile}.tmp`, sdFile);
      await waitFor(
        'a retry of the store step',
        async () => /settle_consumer_retries_total\{[^}]*step="store"[^}]*\} [1-9]/.test(await (await fetch(`${metricsUrl}/metrics`)).text()),
        60_000,
        200,
      );
      await waitFor('Prometheus to scrape the retry', async () => (await query(`settle_consumer_retries_total{test="${id}"}`)).length > 0, 60_000, 250);
    } finally {
      await blocker.rollback().catch(() => undefined);
      await blocker.end();
      await fx.db.query('SET GLOBAL innodb_lock_wait_timeout = ?', [Number(saved[0]?.t ?? 50)]);
    }
    await waitFor('every record stored', async () => (await fx.count()) === 21, 60_000, 200);

    const today = todayInSeoul(new Date()).toString();
    const run = (over: Partial<ProduceRunReport>): ProduceRunReport => ({
      window,
      payoutDate: today,
      outcome: 'COMPLETED',
      exitCode: 0,
      counts: { pages: 1, rowsFetched: 20, rowsPublished: 20, rowsRejected: 0 },
      durationMs: 1_500,
      finishedAt: new Date(),
      ...over,
    });
    const success = run({});
    expect(await pushProduceRun(PUSHGATEWAY, success)).toMatchObject({ ok: true });
    // a later failed run of the same window keeps the last success (POST replaces only the families it sends)
    expect(
      await pushProduceRun(PUSHGATEWAY, run({ outcome: 'FAILED', exitCode: 4, errorCode: 'TOSS_UNAVAILABLE', finishedAt: new Date(Date.now() + 1000) })),
    ).toMatchObject({ ok: true });
    expect(
      await pushReconcileRun(PUSHGATEWAY, { window, outcome: 'MISMATCH', exitCode: 3, mismatchedDates: 1, durationMs: 900, finishedAt: new Date() }),
    ).toMatchObject({ ok: true });

    const w = `window="${windowLabel}"`;
    await waitFor('Prometheus to scrape the pushed runs', async () => (await query(`settle_producer_last_run_exit_code{${w}} == 4`)).length > 0, 60_000, 250);
    const lastSuccess = await query(`settle_producer_last_success_timestamp_seconds{${w}}`);
    expect(lastSuccess.map((r) => Number(r.value[1]))).toEqual([success.finishedAt.getTime() / 1000]);
    expect((await query(`settle_producer_last_run_outcome{${w}} == 1`)).map((r) => r.metric.outcome)).toEqual(['FAILED']);
    expect((await query(`settle_producer_last_run_outcome{${w}} == 1`))[0]?.metric).toMatchObject({ job: 'settle_produce', window: windowLabel });
    // rate() over 1m needs a few scrapes of the consumer
    await waitFor(
      'a few scrapes of the consumer',
      async () => Number((await query(`count_over_time(up{test="${id}"}[1m])`))[0]?.value[1] ?? 0) >= 5,
      60_000,
      250,
    );
  });

  // this test's series only: the consumer by its target label, pushed runs by their window
  const scoped = (s: { name: string; matchers: string }): string => {
    if (s.name.includes(':') || s.matchers.includes('job="pushgateway"')) return withMatchers(s, '');
    if (s.name.startsWith('settle_producer_') || s.name.startsWith('settle_reconcile_')) return withMatchers(s, `window="${windowLabel}"`);
    return withMatchers(s, `test="${id}"`);
  };
  const scopeExpr = (expr: string): string => mapSelectors(expr, scoped);

  it('every metric selector of every rule returns data, and every rule expression evaluates', async () => {
    const missing: string[] = [];
    for (const rule of rules()) {
      await query(rule.expr); // evaluates without error (throws otherwise)
      await query(scopeExpr(rule.expr));
      for (const s of selectors(rule.expr)) {
        if ((await query(scoped(s))).length > 0) continue;
        if (PENDING.has(s.name) || DERIVED_FROM_PENDING.has(s.name)) continue;
        missing.push(`${rule.alert ?? rule.record ?? '?'}: ${scoped(s)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the real Prometheus loaded every rule of deploy/monitoring and evaluates each without error', async () => {
    const res = (await (await fetch(`${PROMETHEUS}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
    };
    const loaded = res.data.groups.flatMap((g) => g.rules);
    const names = rules().map((r) => r.alert ?? r.record);
    expect(loaded.map((r) => r.name).sort()).toEqual([...names].sort());
    await waitFor(
      'every rule evaluated',
      async () => {
        const now = (await (await fetch(`${PROMETHEUS}/api/v1/rules`)).json()) as typeof res;
        return now.data.groups.flatMap((g) => g.rules).every((r) => r.health === 'ok');
      },
      30_000,
      250,
    );
  });

  it('every expression of the Grafana dashboard returns data for this consumer and this window', async () => {
    const empty: string[] = [];
    for (const { panel, expr } of dashboardExprs()) {
      const promql = scopeExpr(grafanaToPromQL(expr));
      if ((await query(promql)).length > 0) continue;
      if (selectors(expr).some((s) => PENDING.has(s.name))) continue;
      empty.push(`${panel}: ${promql}`);
    }
    expect(empty).toEqual([]);
    expect(dashboardExprs().length).toBeGreaterThanOrEqual(15);
  });
});
