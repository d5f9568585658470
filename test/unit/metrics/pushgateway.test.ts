import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  displayUrl,
  groupingPath,
  produceGrouping,
  pushProduceRun,
  pushReconcileRun,
  type ProduceRunReport,
  type PushLogger,
} from '../../../src/infrastructure/metrics/pushgateway.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

const run = (over: Partial<ProduceRunReport> = {}): ProduceRunReport => ({
  window: { from: '2025-03-04', to: '2025-03-05', dateType: 'soldDate' },
  payoutDate: '2025-03-10',
  outcome: 'COMPLETED',
  exitCode: 0,
  counts: { pages: 3, rowsFetched: 12_000, rowsPublished: 11_998, rowsRejected: 2 },
  durationMs: 4_500,
  finishedAt: new Date('2025-03-10T00:30:00.000Z'),
  ...over,
});

const logs = (): PushLogger & { warnings: Array<{ obj: object; msg: string }> } => {
  const warnings: Array<{ obj: object; msg: string }> = [];
  return { warnings, warn: (obj, msg) => warnings.push({ obj, msg }), debug: () => undefined };
};

describe('pushgateway push of a run', () => {
  let server: Server;
  let base = '';
  let seen: Seen[] = [];
  let status = 200;
  let hang = false;
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
        if (!hang) res.writeHead(status).end(status >= 400 ? 'bad metric' : '');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    seen = [];
    status = 200;
    hang = false;
  });

  it('POSTs to /metrics/job/settle_produce/window/<from>_<to>_<dateType> with every run metric', async () => {
    const result = await pushProduceRun(base, run());
    expect(result).toEqual({ ok: true, target: `${base}/metrics/job/settle_produce/window/2025-03-04_2025-03-05_soldDate` });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req?.method).toBe('POST'); // POST: the group's other metrics (last success) survive
    expect(req?.url).toBe('/metrics/job/settle_produce/window/2025-03-04_2025-03-05_soldDate');
    expect(req?.contentType).toMatch(/^text\/plain/);
    const body = req?.body ?? '';
    expect(body).toContain('settle_producer_last_run_timestamp_seconds 1741566600');
    expect(body).toContain('settle_producer_last_success_timestamp_seconds 1741566600');
    expect(body).toContain('settle_producer_last_run_duration_seconds 4.5');
    expect(body).toContain('settle_producer_last_run_exit_code 0');
    expect(body).toContain('settle_producer_last_run_outcome{outcome="COMPLETED"} 1');
    expect(body).toContain('settle_producer_last_run_outcome{outcome="FAILED"} 0');
    expect(body).toContain('settle_producer_last_run_rows{kind="fetched"} 12000');
    expect(body).toContain('settle_producer_last_run_rows{kind="published"} 11998');
    expect(body).toContain('settle_producer_last_run_rows{kind="rejected"} 2');
    expect(body).toContain('settle_producer_last_run_pages 3');
    expect(body).toContain('settle_producer_last_run_error{code="none"} 0');
    expect(body).toContain('settle_producer_shard_count 1');
    // 2025-03-10 00:00 in Seoul = 2025-03-09T15:00:00Z
    expect(body).toContain('settle_producer_window_payout_date_timestamp_seconds 1741532400');
    expect(body).not.toMatch(/^process_|nodejs_/m); // no default metrics of this process
  });

  it('a failed run leaves the last success out (so the gateway keeps the previous one) and names its error', async () => {
    await pushProduceRun(base, run({ outcome: 'FAILED', exitCode: 4, errorCode: 'TOSS_UNAVAILABLE', payoutDate: null }));
    const body = seen[0]?.body ?? '';
    expect(body).not.toContain('settle_producer_last_success_timestamp_seconds');
    expect(body).not.toContain('settle_producer_window_payout_date_timestamp_seconds');
    expect(body).toContain('settle_producer_last_run_outcome{outcome="FAILED"} 1');
    expect(body).toContain('settle_producer_last_run_outcome{outcome="COMPLETED"} 0');
    expect(body).toContain('settle_producer_last_run_error{code="TOSS_UNAVAILABLE"} 1');
    expect(body).toContain('settle_producer_last_run_exit_code 4');
    for (const outcome of ['STOPPED', 'DRY_RUN', 'COMPLETED_WITH_REJECTS'] as const) {
      seen = [];
      await pushProduceRun(base, run({ outcome, exitCode: outcome === 'DRY_RUN' ? 0 : 3 }));
      expect(seen[0]?.body).not.toContain('settle_producer_last_success_timestamp_seconds');
    }
  });

  it('a worker of a sharded window pushes its own group (shard label) and the shard count', async () => {
    await pushProduceRun(base, run({ shard: { index: 2, count: 4 } }));
    expect(seen[0]?.url).toBe('/metrics/job/settle_produce/window/2025-03-04_2025-03-05_soldDate/shard/2');
    expect(seen[0]?.body).toContain('settle_producer_shard_count 4');
    expect(produceGrouping(run({ shard: { index: 0, count: 1 } }))).toEqual({ job: 'settle_produce', window: '2025-03-04_2025-03-05_soldDate' });
  });

  it('sends the credentials of the URL as Basic auth, keeps a path prefix, and never shows the credentials', async () => {
    const log = logs();
    const withAuth = base.replace('http://', 'http://pushuser:s3cr%40t@');
    const ok = await pushProduceRun(`${withAuth}/gateway/`, run(), { logger: log });
    expect(ok).toEqual({ ok: true, target: `${base}/gateway/metrics/job/settle_produce/window/2025-03-04_2025-03-05_soldDate` });
    expect(seen[0]?.url).toBe('/gateway/metrics/job/settle_produce/window/2025-03-04_2025-03-05_soldDate');
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('pushuser:s3cr@t').toString('base64')}`);

    status = 400;
    const failed = await pushProduceRun(withAuth, run(), { logger: log });
    expect(failed.ok).toBe(false);
    expect(JSON.stringify(failed)).toContain('HTTP 400');
    expect(JSON.stringify(failed)).toContain('bad metric');
    expect(log.warnings).toHaveLength(1);
    const text = JSON.stringify([failed, log.warnings]);
    expect(text).not.toContain('s3cr');
    expect(text).not.toContain('pushuser');
    expect(log.warnings[0]?.obj).toMatchObject({ code: 'PUSHGATEWAY_PUSH_FAILED', pushgateway: base });
    expect(displayUrl('https://u:p@pg.example:9091/x/?q=1')).toBe('https://pg.example:9091/x');
  });

  it('never throws: refused connection, timeout, an invalid URL are results with a warning', async () => {
    const log = logs();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await pushProduceRun(`http://127.0.0.1:${closedPort}`, run(), { logger: log });
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok === false && refused.error).toContain('ECONNREFUSED');

    hang = true;
    const slow = await pushProduceRun(base, run(), { logger: log, timeoutMs: 200 });
    expect(slow).toEqual({ ok: false, error: `POST ${base}/metrics/job/settle_produce/window/2025-03-04_2025-03-05_soldDate failed: no answer within 200 ms` });

    const invalid = await pushProduceRun('not a url', run(), { logger: log });
    expect(invalid).toEqual({ ok: false, error: 'PUSHGATEWAY_URL is not an http(s) URL' });
    const badDate = await pushProduceRun(base, run({ payoutDate: '10.03.2025' }), { logger: log });
    expect(badDate.ok).toBe(false);
    expect(log.warnings).toHaveLength(4);
  });

  it('reconcile pushes its outcome to job settle_reconcile, the OK timestamp only when OK', async () => {
    const window = { from: '2025-03-04', to: '2025-03-04', dateType: 'soldDate' };
    await pushReconcileRun(base, { window, outcome: 'MISMATCH', exitCode: 3, mismatchedDates: 1, durationMs: 800, finishedAt: new Date(1_000_000) });
    expect(seen[0]?.url).toBe('/metrics/job/settle_reconcile/window/2025-03-04_2025-03-04_soldDate');
    expect(seen[0]?.body).toContain('settle_reconcile_last_run_outcome{outcome="MISMATCH"} 1');
    expect(seen[0]?.body).toContain('settle_reconcile_last_run_mismatched_dates 1');
    expect(seen[0]?.body).not.toContain('settle_reconcile_last_ok_timestamp_seconds');
    await pushReconcileRun(base, { window, outcome: 'OK', exitCode: 0, mismatchedDates: 0, durationMs: 800, finishedAt: new Date(2_000_000) });
    expect(seen[1]?.body).toContain('settle_reconcile_last_ok_timestamp_seconds 2000');
  });

  it('encodes grouping values the path cannot carry as base64url', () => {
    expect(groupingPath({ job: 'settle_produce', window: 'a/b', shard: '' })).toBe(
      `/metrics/job/settle_produce/window@base64/${Buffer.from('a/b').toString('base64url')}/shard@base64/=`,
    );
  });
});
