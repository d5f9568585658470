import { afterEach, describe, expect, it } from 'vitest';
import { ConsumerMetrics } from '../../../src/presentation/consumer/consumer-metrics.js';
import { type HealthServer, startHealthServer } from '../../../src/presentation/consumer/health-server.js';

describe('health server', () => {
  let server: HealthServer | null = null;
  afterEach(async () => server?.close());

  it('answers /healthz, /readyz by state and /metrics in Prometheus text', async () => {
    let ready = false;
    const metrics = new ConsumerMetrics('t', { horizonDaysRemaining: () => 30, isBusinessDay: () => false, staleExecutions: () => Promise.resolve(2) });
    metrics.watchReadiness(() => ready);
    metrics.batch(
      {
        records: 3,
        inserted: 2,
        updated: 0,
        unchanged: 0,
        deadLettered: 1,
        deadLetterCodes: { EMPTY_VALUE: 1 },
        unknownFields: { 'card.newField': 2 },
        retries: 0,
        nextOffset: 3,
      },
      0.02,
    );
    metrics.setLag(new Map([[0, 7]]));
    server = await startHealthServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, isHealthy: () => true, isReady: () => ready });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('settle_consumer_records_total{topic="t"} 3');
    expect(text).toContain('settle_consumer_rows_total{topic="t",outcome="inserted"} 2');
    expect(text).toContain('settle_consumer_dead_letters_total{topic="t",code="EMPTY_VALUE"} 1');
    expect(text).toContain('settle_consumer_lag{topic="t",partition="0"} 7');
    expect(text).toContain('settle_consumer_unknown_fields_total{topic="t",field="card.newField"} 2');
    expect(text).toContain('settle_calendar_horizon_days_remaining 30');
    expect(text).toContain('settle_calendar_business_day 0');
    expect(text).toContain('settle_jobs_stale_executions 2');
    expect(text).toContain('settle_consumer_ready 1'); // read at the scrape: ready by then
    expect(text).toContain('settle_consumer_batch_duration_seconds_bucket');
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it('exports the records lost per assigned partition, 0 from the assignment on; a new assignment replaces them', async () => {
    const metrics = new ConsumerMetrics('t');
    metrics.recordsLost(
      new Map([
        [0, 0],
        [1, 0],
      ]),
      true,
    );
    let text = await metrics.registry.metrics();
    expect(text).toContain('settle_consumer_records_lost{topic="t",partition="0"} 0');
    expect(text).toContain('settle_consumer_records_lost{topic="t",partition="1"} 0');
    metrics.recordsLost(new Map([[1, 180]]), false);
    expect(await metrics.registry.metrics()).toContain('settle_consumer_records_lost{topic="t",partition="1"} 180');
    metrics.recordsLost(new Map([[2, 0]]), true);
    text = await metrics.registry.metrics();
    expect(text).toContain('settle_consumer_records_lost{topic="t",partition="2"} 0');
    expect(text).not.toContain('partition="1"');
  });

  it('nextScrape resolves once /metrics was answered, false when its signal aborts first', async () => {
    const metrics = new ConsumerMetrics('t');
    server = await startHealthServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, isHealthy: () => false, isReady: () => false });
    const scraped = server.nextScrape(new AbortController().signal);
    await fetch(`${server.url}/healthz`);
    let settled = false;
    void scraped.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false); // a probe is not a scrape
    await (await fetch(`${server.url}/metrics`)).text();
    expect(await scraped).toBe(true);
    expect(await server.nextScrape(AbortSignal.timeout(30))).toBe(false);
  });

  it('reports a taken port as a usage error', async () => {
    const metrics = new ConsumerMetrics('t');
    server = await startHealthServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, isHealthy: () => true, isReady: () => true });
    const port = Number(new URL(server.url).port);
    await expect(startHealthServer({ host: '127.0.0.1', port, registry: metrics.registry, isHealthy: () => true, isReady: () => true })).rejects.toMatchObject({
      code: 'METRICS_PORT_UNAVAILABLE',
      category: 'usage',
    });
  });
});
