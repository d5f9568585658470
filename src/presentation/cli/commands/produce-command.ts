import type { Command } from 'commander';
import { todayInSeoul, LocalDate } from '../../../domain/calendar/local-date.js';
import { settlementWindow, windowLabel, type SettlementWindow } from '../../../domain/settlement/settlement-window.js';
import type { JobSummary } from '../../../application/settlement/run-settlement-job.js';
import { payoutWindowHorizon, warnIfPastHorizon, type PayoutWindowHorizon } from '../../../composition/calendar-horizon.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode, exitCodeOf } from '../exit-codes.js';
import type { ProduceRunReport as ProduceRun } from '../../../infrastructure/metrics/pushgateway.js';
import { isSettleError } from '../../../domain/shared/settle-error.js';
import { ZERO_COUNTS } from '../../../domain/batch/job-execution.js';
import { dateFlag, intFlag, shardFromFlags, usage } from '../flag-parsers.js';
import { MAX_SHARDS, shardLabel } from '../../../domain/batch/shard.js';
import { MAX_PAGES_OVERRIDE } from '../../../domain/batch/runaway-page-guard.js';
import { globalOverrides } from '../global-options.js';
import { unknownFieldsLine } from './job-summary-output.js';
import { ShutdownDeadline, SIGNAL_HELP } from '../../shutdown/shutdown-deadline.js';

interface ProduceOptions {
  from?: string;
  to?: string;
  dateType: string;
  payoutDate?: string;
  dryRun?: boolean;
  maxRejects: number;
  concurrency?: number;
  pageSize?: number;
  maxPages?: number;
  expectedRows?: number;
  json?: boolean;
  shards?: number;
  shard?: number;
}

export function registerProduceCommand(program: Command, ctx: CliContext): void {
  program
    .command('produce')
    .description('fetch a settlement window from Toss and publish one Avro record per row (restartable)')
    .option('--from <date>', 'first date of the window, YYYY-MM-DD', dateFlag('--from'))
    .option('--to <date>', 'last date of the window, YYYY-MM-DD (inclusive)', dateFlag('--to'))
    .option('--date-type <type>', 'soldDate | paidOutDate', 'soldDate')
    .option('--payout-date <date>', 'with no --from/--to: the payout date whose sold dates to fetch (default: today in Asia/Seoul)', dateFlag('--payout-date'))
    .option('--dry-run', 'fetch and validate only: publish nothing, checkpoint nothing')
    .option('--max-rejects <n>', 'rejected rows tolerated before exiting 3', intFlag('--max-rejects', 0, 1_000_000_000), 0)
    .option('--concurrency <n>', 'pages fetched at once (env TOSS_CONCURRENCY, default 4)', intFlag('--concurrency', 1, 64))
    .option(
      '--page-size <n>',
      'rows per page, at most 5000 (env TOSS_PAGE_SIZE); a resumed window keeps the size it started with',
      intFlag('--page-size', 1, 5000),
    )
    .option(
      '--max-pages <n>',
      'pages the window may hold; a full page past them stops the run, exit 3 (env TOSS_MAX_PAGES; default: derived, ' +
        'TOSS_MAX_ROWS_PER_DAY × days of the window ÷ page size)',
      intFlag('--max-pages', 1, MAX_PAGES_OVERRIDE),
    )
    .option('--expected-rows <n>', 'size the progress bar and ETA', intFlag('--expected-rows', 1, Number.MAX_SAFE_INTEGER))
    .option('--json', 'print the summary as JSON')
    .option(
      '--shards <n>',
      'split the window across N workers; each fetches every Nth page (a Kubernetes Indexed Job runs one per index)',
      intFlag('--shards', 1, MAX_SHARDS),
    )
    .option('--shard <i>', 'this worker, 0 … N-1 (default: JOB_COMPLETION_INDEX)', intFlag('--shard', 0, MAX_SHARDS - 1))
    .addHelpText('after', `\n${SIGNAL_HELP}`)
    .action(async (opts: ProduceOptions, cmd: Command) => {
      const overrides = { ...globalOverrides(cmd), TOSS_CONCURRENCY: opts.concurrency, TOSS_PAGE_SIZE: opts.pageSize, TOSS_MAX_PAGES: opts.maxPages };
      const config = ctx.config(opts.dryRun ? ['toss'] : ['toss', 'kafka', 'registry', 'mysql'], overrides);
      const shard = shardFromFlags(opts, ctx.env);
      let horizon: PayoutWindowHorizon | null = null; // set when the window comes from the calendar
      let payoutDate: LocalDate | null = null; // likewise: the payout date the window pays out on
      const window = await chooseWindow(opts, config.calendar);
      if (!window) return; // not a business day: nothing pays out, nothing to do
      const logger = ctx.logger();
      const started = Date.now();
      // the run's outcome outlives the process: pushed to the Pushgateway (PUSHGATEWAY_URL) whatever happened
      const pushRun = async (outcome: ProduceRun['outcome'], exitCode: number, counts: ProduceRun['counts'], errorCode: string | null) => {
        const url = config.pushgatewayUrl;
        if (!url) return;
        const { pushProduceRun } = await import('../../../infrastructure/metrics/pushgateway.js');
        await pushProduceRun(
          url,
          {
            window,
            shard,
            payoutDate: payoutDate?.toString() ?? null,
            outcome,
            exitCode,
            counts,
            durationMs: Date.now() - started,
            finishedAt: new Date(),
            errorCode,
          },
          { logger, signal: deadline.expired },
        );
      };
      // SIGTERM/SIGINT: no further page is fetched, the pages in flight are awaited until the drain deadline, the
      // execution is STOPPED after the last acknowledged page, and the command is over within SHUTDOWN_TIMEOUT_MS
      const deadline = new ShutdownDeadline(ctx.signal, config.shutdownTimeoutMs);
      const stop: { code: string | null; outcome: string | null } = { code: null, outcome: null };
      const produce = async () => {
        let summary: JobSummary;
        try {
          // loaded on use, like every command's dependencies: only what this run needs is in its memory
          const { wireSettlementJob } = await import('../../../composition/settlement-job.js');
          // the consumer's inserts of this window land in daily partitions; never fails the run (warns instead)
          if (!opts.dryRun) await (await import('../../../composition/settlement-partitions.js')).ensurePartitionsForWindow(config, logger, window);
          const progress =
            ctx.stdoutIsTTY && process.stderr.isTTY
              ? (await import('../../progress/job-progress-bar.js')).createJobProgressBar(process.stderr, config.toss.pageSize, opts.expectedRows ?? null)
              : undefined;
          const wired = await wireSettlementJob(config, logger, {
            dryRun: opts.dryRun === true,
            concurrency: config.toss.concurrency,
            ...(progress ? { progress } : {}),
          });
          try {
            const { pageSize, maxPages, maxRowsPerDay } = config.toss;
            const dryRun = opts.dryRun === true;
            summary = await wired.value.run({
              window,
              shard,
              pageSize,
              maxPages,
              maxRowsPerDay,
              dryRun,
              maxRejects: opts.maxRejects,
              signal: ctx.signal,
              drainDeadline: deadline.drain,
            });
          } finally {
            await wired.close(deadline.drain);
          }
        } catch (error) {
          await pushRun('FAILED', exitCodeOf(error), ZERO_COUNTS, isSettleError(error) ? error.code : 'INTERNAL');
          throw error;
        }
        stop.outcome = summary.outcome;
        printSummary(ctx, summary, horizon, opts.json === true);
        // a run stopped by SIGTERM left the window unfinished: cron must not read that as success
        const exitCode = summary.outcome === 'STOPPED' ? ExitCode.TRANSIENT : summary.counts.rowsRejected > opts.maxRejects ? ExitCode.DATA : ExitCode.OK;
        if (exitCode !== ExitCode.OK) ctx.setExitCode(exitCode);
        await pushRun(summary.outcome, exitCode, summary.counts, null);
      };
      try {
        await deadline.within(produce());
      } catch (error) {
        stop.code = isSettleError(error) ? error.code : 'INTERNAL';
        throw error;
      } finally {
        deadline.report(logger, { command: 'produce', ...stop });
        deadline.dispose();
      }

      async function chooseWindow(
        o: ProduceOptions,
        calendar: { payoutDelayBusinessDays: number; overridesFile: string | null },
      ): Promise<SettlementWindow | null> {
        if (o.from || o.to) {
          if (!o.from || !o.to) throw usage('INVALID_WINDOW', '--from and --to go together (or give neither for the window that pays out today)');
          return settlementWindow(o.from, o.to, o.dateType);
        }
        if (o.dateType !== 'soldDate')
          throw usage('INVALID_WINDOW', '--date-type applies to an explicit --from/--to window; the default window is by soldDate');
        // the holiday data (date-holidays, moment-timezone) only for a window that comes from the calendar
        const { createBusinessCalendar } = await import('../../../infrastructure/calendar/create-business-calendar.js');
        const cal = await createBusinessCalendar({ overridesFile: calendar.overridesFile });
        const payout = o.payoutDate ? LocalDate.parse(o.payoutDate, '--payout-date') : todayInSeoul(new Date());
        payoutDate = payout;
        const w = cal.payoutWindow(payout, calendar.payoutDelayBusinessDays);
        // holiday data nobody verified yet: a warning, never a refusal (the cron job must run on January 1)
        horizon = payoutWindowHorizon(cal, payout, w);
        warnIfPastHorizon(ctx.logger(), horizon);
        if (!w) {
          ctx.out(`nothing to do: ${payout.toString()} is not a business day (${cal.nonBusinessReason(payout) ?? ''})`);
          return null;
        }
        return settlementWindow(w.from.toString(), w.to.toString(), 'soldDate');
      }
    });
}

function printSummary(ctx: CliContext, s: JobSummary, horizon: PayoutWindowHorizon | null, json: boolean): void {
  if (json) {
    // peakRssMb: this process's resident high-water mark (the kernel's maxrss); cpuMs: its CPU time (user + system,
    // all threads, from the kernel's getrusage): for benchmarks and capacity plans
    const usage = process.resourceUsage();
    const own = { peakRssMb: Math.round(usage.maxRSS / 1024), cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000) };
    ctx.out(JSON.stringify({ ...s, ...(horizon ? { calendarHorizon: horizon } : {}), ...own }));
    return;
  }
  ctx.out(
    `${s.outcome} window ${windowLabel(s.window)}${s.shard.count > 1 ? ` (${shardLabel(s.shard)})` : ''} execution ${s.executionId ?? '-'}${s.resumedAfterPage ? ` (resumed after page ${s.resumedAfterPage})` : ''}`,
  );
  ctx.out(
    `pages ${s.counts.pages}  fetched ${s.counts.rowsFetched}  published ${s.counts.rowsPublished}  rejected ${s.counts.rowsRejected}  ${(s.durationMs / 1000).toFixed(1)} s  ${s.rowsPerSecond} rows/s`,
  );
  for (const r of s.rejectSample) ctx.out(`rejected ${r.transactionKey ?? '(no transactionKey)'}: ${r.reason}`);
  if (horizon?.pastHorizon)
    ctx.out(
      `calendar: the payout window reaches ${horizon.yearsPast.join(', ')}, past the holiday data verified through ${String(horizon.verifiedThroughYear)} (see settle calendar horizon)`,
    );
  const unknown = unknownFieldsLine(s);
  if (unknown) ctx.out(unknown);
}
