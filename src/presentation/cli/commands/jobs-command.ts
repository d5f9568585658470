import type { Command } from 'commander';
import type { ExecutionView } from '../../../application/settlement/job-admin.js';
import { createMySqlPool } from '../../../infrastructure/mysql/mysql-pool.js';
import { MySqlJobAdmin } from '../../../infrastructure/mysql/mysql-job-admin.js';
import type { CliContext } from '../cli-context.js';
import { intFlag, usage } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';

const STATUSES = ['STARTED', 'COMPLETED', 'FAILED', 'STOPPED', 'ABANDONED'];

export function registerJobsCommand(program: Command, ctx: CliContext): void {
  const jobs = program.command('jobs').description('inspect and repair producer job executions');
  const withAdmin = async <T>(cmd: Command, fn: (admin: MySqlJobAdmin) => Promise<T>): Promise<T> => {
    const config = ctx.config(['mysql'], globalOverrides(cmd));
    const pool = createMySqlPool(config.mysql, 2);
    try {
      return await fn(new MySqlJobAdmin(pool, config.jobs.heartbeatTimeoutMs));
    } finally {
      await pool.end();
    }
  };
  /** `list` prints a JSON array; the single-execution commands print one object. */
  const print = (views: ExecutionView[] | ExecutionView, json: boolean | undefined) => {
    if (json) return ctx.out(JSON.stringify(views));
    if (!Array.isArray(views)) views = [views];
    if (views.length === 0) return ctx.out('no executions');
    ctx.out(['id', 'kind', 'status', 'window', 'pages', 'fetched', 'published', 'rejected', 'started', 'ended', 'last error'].join('\t'));
    for (const v of views)
      ctx.out([v.id, v.kind, v.stale ? `${v.status} (stale heartbeat)` : v.status, `${v.window.from}..${v.window.to} ${v.window.dateType}`, v.lastPage, v.counts.rowsFetched, v.counts.rowsPublished, v.counts.rowsRejected, v.startedAt, v.endedAt ?? '-', v.lastError ?? ''].join('\t'));
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
      for (const [k, v] of Object.entries({ ...view, window: `${view.window.from}..${view.window.to} (${view.window.dateType})`, counts: JSON.stringify(view.counts) })) ctx.out(`${k}: ${v ?? '-'}`);
    });
  jobs
    .command('recover <id>')
    .description('mark a STARTED execution whose process died as FAILED, so the next run resumes it')
    .option('--force', 'also when its claim is still held but its heartbeat timed out (JOB_HEARTBEAT_TIMEOUT_MS): a hung process')
    .option('--json', 'JSON output')
    .action(async (id: string, opts: { json?: boolean; force?: boolean }, cmd: Command) => print(await withAdmin(cmd, (a) => a.recover(idArg(id), { force: opts.force === true })), opts.json));
  jobs
    .command('abandon <id>')
    .description('mark a FAILED or STOPPED execution ABANDONED: never resumed; the next run starts at page 1')
    .option('--json', 'JSON output')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => print(await withAdmin(cmd, (a) => a.abandon(idArg(id))), opts.json));
}
