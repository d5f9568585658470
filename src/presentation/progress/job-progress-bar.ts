import cliProgress from 'cli-progress';
import type { JobProgress } from '../../application/settlement/run-settlement-job.js';
import { StatusLine } from './status-line.js';

const BAR = { barsize: 30, barCompleteString: '\u2588'.repeat(30), barIncompleteString: '\u2591'.repeat(30), barGlue: '' };
const TIME = { autopaddingChar: '0' };

/**
 * The live display on a terminal: pages, rows, rejects, rows/s and elapsed time; with --expected-rows a bar, the
 * percentage and an ETA (Toss gives no total). It is the terminal's last line (StatusLine): log lines and other
 * output print above it and never mix with it. Redrawn on every page and once a second.
 */
export function createJobProgressBar(
  stream: NodeJS.WriteStream,
  pageSize: number,
  expectedRows: number | null,
  others: readonly NodeJS.WriteStream[] = [process.stdout],
): JobProgress {
  const line = new StatusLine(stream, others);
  const total = expectedRows ? Math.ceil(expectedRows / pageSize) : 0;
  let started = 0;
  let state = { page: 0, rows: 0, rejected: 0, firstPage: 0 };
  let timer: NodeJS.Timeout | null = null;

  const render = (): string => {
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? Math.round(state.rows / secs) : 0;
    const elapsed = cliProgress.Format.TimeFormat(Math.round(secs), TIME, 1);
    const counts = `${state.rows} rows | ${state.rejected} rejected | ${rate} rows/s | ${elapsed}`;
    if (!total) return ` page ${state.page} | ${counts}`;
    const progress = Math.min(1, state.page / total);
    const done = state.page - state.firstPage;
    const eta =
      done > 0 && progress < 1 ? cliProgress.Format.TimeFormat(Math.round((secs / done) * (total - state.page)), TIME, 1) : progress >= 1 ? '0s' : '?';
    return ` ${cliProgress.Format.BarFormat(progress, BAR)} ${Math.round(progress * 100)}% | page ${state.page}/${total} | ${counts} | ETA ${eta}`;
  };

  return {
    start({ resumeAfterPage }) {
      started = Date.now();
      state = { page: resumeAfterPage, rows: 0, rejected: 0, firstPage: resumeAfterPage };
      line.start(render());
      timer = setInterval(() => line.update(render()), 1000);
      timer.unref();
    },
    page({ page, counts }) {
      state = { ...state, page, rows: counts.rowsFetched, rejected: counts.rowsRejected };
      line.update(render());
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      line.stop(render());
    },
  };
}
