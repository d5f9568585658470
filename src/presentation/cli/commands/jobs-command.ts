import type { Command } from 'commander';
import type { ExecutionView } from '../../../application/settlement/job-admin.js';
import { windowRuns } from '../../../domain/batch/shard.js';
import type { MySqlJobAdmin } from '../../../infrastructure/mysql/mysql-job-admin.js';
import type { CliContext } from '../cli-context.js';
import { intFlag, usage } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';
import { duration, renderTable, shortInstant, type Column, type Row } from '../table.js';

const STATUSES = ['STARTED', 'COMPLETED', 'FAILED', 'STOPPED', 'ABANDONED'];

export function registerJobsCommand(program: Command, ctx: CliContext): void {
  const jobs = program.command('jobs').description('inspect and repair producer job executions');
  const withAdmin = async <T>(cmd: Command, fn: (admin: MySqlJobAdmin) => Promise<T>): Promise<T> => {
    const config = ctx.config(['mysql'], globalOverrides(cmd));
    // loaded on use: mysql2 stays out of every other command's memory
    const wired = (await import('../../../composition/database.js')).wireJobAdmin(config, 2);
    try {
      return await fn(wired.value);
    } finally {
      await wired.close();
    }
  };
  /** `list` prints a JSON array; the single-execution commands print one object. */
  const print = (views: ExecutionView[] | ExecutionView, json: boolean | undefined) => {
    if (json) return ctx.out(JSON.stringify(views));
    if (!Array.isArray(views)) views = [views];
    if (views.length === 0) return ctx.out('no executions');
    for (const line of renderTable(LIST_COLUMNS, listLines(views))) ctx.out(line);
  };
  const idArg = (value: string) => intFlag('<id>', 1, Number.MAX_SAFE_INTEGER)(value);

  jobs
    .command('list')
    .description('recent executions, newest first')
    .option('--status <status>', STATUSES.join('|'))
    .option('--limit <n>', 'how many', intFlag('--limit', 1, 10_000), 20)
    .option('--json', 'JSON output')
    .action(async (opts: { status?: string; limit: number; json?: boolean }, cmd: Command) => {
      if (opts.status && !STATUSES.includes(opts.status)) throw usage('INVALID_FLAG', `--status must be one of ${STATUSES.join(', ')}, got "${opts.status}"`);
      print(await withAdmin(cmd, (a) => a.list({ limit: opts.limit, ...(opts.status ? { status: opts.status } : {}) })), opts.json);
    });
  jobs
    .command('show <id>')
    .description('one execution: window, status, pages done, rows, rejects, timings, last error')
    .option('--json', 'JSON output')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const view = await withAdmin(cmd, (a) => a.get(idArg(id)));
      if (!view) throw usage('JOB_NOT_FOUND', `no execution ${id}`);
      if (opts.json) return ctx.out(JSON.stringify(view));
      for (const [k, v] of Object.entries({
        ...view,
        window: `${view.window.from}..${view.window.to} (${view.window.dateType})`,
        counts: JSON.stringify(view.counts),
      }))
        ctx.out(`${k}: ${v ?? '-'}`);
    });
  jobs
    .command('recover <id>')
    .description('mark a STARTED execution whose process died as FAILED, so the next run resumes it')
    .option('--force', 'also when its claim is still held but its heartbeat timed out (JOB_HEARTBEAT_TIMEOUT_MS): a hung process')
    .option('--json', 'JSON output')
    .action(async (id: string, opts: { json?: boolean; force?: boolean }, cmd: Command) =>
      print(await withAdmin(cmd, (a) => a.recover(idArg(id), { force: opts.force === true })), opts.json),
    );
  jobs
    .command('abandon <id>')
    .description('mark a FAILED or STOPPED execution ABANDONED: never resumed; the next run starts at page 1')
    .option('--json', 'JSON output')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => print(await withAdmin(cmd, (a) => a.abandon(idArg(id))), opts.json));
}

const statusOf = (v: ExecutionView) => (v.stale ? `${v.status} (stale heartbeat)` : v.status);
const windowOf = (v: ExecutionView) => `${v.window.from}..${v.window.to} ${v.window.dateType}`;
const took = (started: string | undefined, ended: string | null): string => (started && ended ? duration(Date.parse(ended) - Date.parse(started)) : '-');

/**
 * The list's layout (the table formatter's), within 120 columns: started as `YYYY-MM-DD HH:MM:SS` UTC and how long
 * it took to its end (`-` while it has not ended); the last error, or a sharded run's workers, on the lines under the
 * row. `jobs show` and `--json` have every field (endedAt among them).
 */
const LIST_COLUMNS: readonly Column[] = [
  { header: 'id', align: 'right', wrap: true, min: 6 },
  { header: 'kind' },
  { header: 'status', wrap: true, min: 9 },
  { header: 'window', wrap: true, min: 22 },
  { header: 'pages', align: 'right' },
  { header: 'fetched', align: 'right' },
  { header: 'published', align: 'right' },
  { header: 'rejected', align: 'right' },
  { header: 'started (UTC)' },
  { header: 'took', align: 'right' },
];

/**
 * One row per execution, except a sharded window's run: one row for all its workers (each worker's latest
 * execution), its status COMPLETED only once every worker's is, and the workers listed under it.
 */
function listLines(views: readonly ExecutionView[]): Row[] {
  const lines: Row[] = [];
  const shown = new Set<number>();
  for (const v of views) {
    if (shown.has(v.id)) continue;
    if (v.shards === 1) {
      shown.add(v.id);
      lines.push({
        cells: [
          v.id,
          v.kind,
          statusOf(v),
          windowOf(v),
          v.lastPage,
          v.counts.rowsFetched,
          v.counts.rowsPublished,
          v.counts.rowsRejected,
          shortInstant(v.startedAt),
          took(v.startedAt, v.endedAt),
        ],
        detail: v.lastError ? `last error: ${v.lastError}` : null,
      });
      continue;
    }
    // the window's executions shown here, oldest first, grouped into runs; the run holding `v`
    const sameWindow = views.filter((o) => o.instanceId === v.instanceId).sort((a, b) => a.id - b.id);
    const run = windowRuns(sameWindow).find((r) => r.executions.some((e) => e.id === v.id));
    const members = (run?.executions ?? [v]) as ExecutionView[];
    for (const m of members) shown.add(m.id);
    const workers = (run?.workers ?? []).map((w, i) => (w ? `${i}:${statusOf(w as ExecutionView)} #${w.id}` : `${i}:not started`));
    const latest = (run?.workers ?? []).filter((w): w is ExecutionView => w !== undefined);
    // a resumed worker's executions each count the pages they published; an abandoned one's were published again
    const counted = members.filter((e) => e.status !== 'ABANDONED');
    const sum = (pick: (e: ExecutionView) => number) => counted.reduce((n, e) => n + pick(e), 0);
    const started = members.map((e) => e.startedAt).sort()[0];
    const ended = latest.every((e) => e.endedAt)
      ? (latest
          .map((e) => e.endedAt ?? '')
          .sort()
          .at(-1) ?? null)
      : null;
    lines.push({
      cells: [
        latest.map((e) => e.id).join(','),
        `${v.kind} ×${v.shards}`,
        run?.status ?? v.status,
        windowOf(v),
        sum((e) => e.counts.pages),
        sum((e) => e.counts.rowsFetched),
        sum((e) => e.counts.rowsPublished),
        sum((e) => e.counts.rowsRejected),
        shortInstant(started),
        took(started, ended),
      ],
      detail: `workers ${workers.join(' ')}`,
    });
  }
  return lines;
}
