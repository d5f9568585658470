import cliProgress from 'cli-progress';
import type { JobProgress } from '../../application/settlement/run-settlement-job.js';

/**
 * The live display on a terminal: pages, rows, rows/s and an ETA. Toss gives no total, so the bar is
 * sized by the expected page count when the operator knows it (--expected-rows), otherwise it just counts.
 */
export function createJobProgressBar(stream: NodeJS.WriteStream, pageSize: number, expectedRows: number | null): JobProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: expectedRows ? ' {bar} {percentage}% | page {page} | {rows} rows | {rate} rows/s | ETA {eta_formatted}' : ' page {page} | {rows} rows | {rejected} rejected | {rate} rows/s',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = 0;
  const total = expectedRows ? Math.ceil(expectedRows / pageSize) : 0;
  return {
    start({ resumeAfterPage }) {
      started = Date.now();
      bar.start(total || 1, Math.min(resumeAfterPage, total), { page: resumeAfterPage, rows: 0, rejected: 0, rate: 0 });
    },
    page({ page, counts }) {
      const secs = (Date.now() - started) / 1000;
      const payload = { page, rows: counts.rowsFetched, rejected: counts.rowsRejected, rate: secs > 0 ? Math.round(counts.rowsFetched / secs) : 0 };
      if (total) bar.update(Math.min(page, total), payload);
      else bar.update(0, payload);
    },
    stop() {
      bar.stop();
    },
  };
}
