import type { Command } from 'commander';
import { settlementWindow, windowLabel } from '../../../domain/settlement/settlement-window.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { dateFlag, intFlag, shardFromFlags, usage } from '../flag-parsers.js';
import { MAX_SHARDS } from '../../../domain/batch/shard.js';
import { MAX_PAGES_OVERRIDE } from '../../../domain/batch/runaway-page-guard.js';
import { globalOverrides } from '../global-options.js';
import { unknownFieldsLine } from './job-summary-output.js';
import { ShutdownDeadline, SIGNAL_HELP } from '../../shutdown/shutdown-deadline.js';
import { isSettleError } from '../../../domain/shared/settle-error.js';

interface ReplayOptions {
  from?: string;
  to?: string;
  dateType: string;
  kafka?: boolean;
  since?: string;
  group?: string;
  force?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  maxPages?: number;
  json?: boolean;
  shards?: number;
  shard?: number;
}

export function registerReplayCommand(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('re-publish a window from Toss (--from/--to), or rebuild MySQL from the topic (--kafka --since)')
    .option('--from <date>', 'first date, YYYY-MM-DD', dateFlag('--from'))
    .option('--to <date>', 'last date, YYYY-MM-DD (inclusive)', dateFlag('--to'))
    .option('--date-type <type>', 'soldDate | paidOutDate', 'soldDate')
    .option('--kafka', "rewind the loader group's stored offsets instead of calling Toss")
    .option('--since <timestamp>', 'with --kafka: ISO-8601 instant to rewind to, e.g. 2025-02-10T00:00:00+09:00')
    .option('--group <id>', 'with --kafka: consumer group (env CONSUMER_GROUP, default settlement-loader)')
    .option('--force', 'with --kafka: rewind even while the group has live members')
    .option('--yes', 'do not ask for confirmation')
    .option('--dry-run', 'show the plan only')
    .option(
      '--max-pages <n>',
      'pages the window may hold; a full page past them stops the replay, exit 3 (env TOSS_MAX_PAGES; default: derived, ' +
        'TOSS_MAX_ROWS_PER_DAY × days of the window ÷ page size)',
      intFlag('--max-pages', 1, MAX_PAGES_OVERRIDE),
    )
    .option('--json', 'JSON output')
    .option(
      '--shards <n>',
      'split the window across N workers; each fetches every Nth page (a Kubernetes Indexed Job runs one per index)',
      intFlag('--shards', 1, MAX_SHARDS),
    )
    .option('--shard <i>', 'this worker, 0 … N-1 (default: JOB_COMPLETION_INDEX)', intFlag('--shard', 0, MAX_SHARDS - 1))
    .addHelpText('after', `\nWith --from/--to, as \`settle produce\`:\n${SIGNAL_HELP}`)
    .action(async (opts: ReplayOptions, cmd: Command) => {
      if (opts.kafka) return (await import('./replay-kafka.js')).rewindConsumerOffsets(ctx, cmd, opts);
      if (!opts.from || !opts.to) throw usage('INVALID_WINDOW', 'replay needs --from and --to (or --kafka --since <timestamp>)');
      const window = settlementWindow(opts.from, opts.to, opts.dateType);
      const shard = shardFromFlags(opts, ctx.env);
      const config = ctx.config(opts.dryRun ? ['mysql'] : ['toss', 'kafka', 'registry', 'mysql'], { ...globalOverrides(cmd), TOSS_MAX_PAGES: opts.maxPages });

      // loaded on use: mysql2, kafkajs and the rest stay out of every other command's memory
      const [{ wireJobAdmin }, { wireSettlementJob }] = await Promise.all([
        import('../../../composition/database.js'),
        import('../../../composition/settlement-job.js'),
      ]);
      const admin = wireJobAdmin(config, 2);
      const [history, before] = await Promise.all([admin.value.executionsOf(window), admin.value.storedTotals(window)]).finally(() => admin.close());
      const plan = {
        window,
        history: history.map((e) => ({ id: e.id, kind: e.kind, status: e.status, rows: e.counts.rowsPublished, endedAt: e.endedAt })),
        mysql: before,
      };
      if (opts.json && opts.dryRun) return ctx.out(JSON.stringify({ plan }));
      if (!opts.json) {
        ctx.out(`replay plan for ${windowLabel(window)}`);
        ctx.out(
          history.length
            ? history.map((e) => `  execution ${e.id} ${e.kind} ${e.status} published ${e.counts.rowsPublished} rows, ended ${e.endedAt ?? '-'}`).join('\n')
            : '  no earlier executions',
        );
        ctx.out(`  MySQL holds ${before.rows} rows: amount ${before.amount}, fee ${before.fee}, payOutAmount ${before.payOutAmount}`);
        ctx.out('  every row of the window is fetched again and published; the loader upserts (no duplicates)');
      }
      if (opts.dryRun) return;
      if (!opts.yes) {
        if (!ctx.stdinIsTTY) throw usage('CONFIRMATION_REQUIRED', 'replay publishes a whole window again: pass --yes to confirm when not on a terminal');
        const answer = await ctx.ask('Replay this window? [y/N] ');
        if (!/^y(es)?$/i.test(answer.trim())) {
          ctx.out('cancelled');
          return;
        }
      }
      // SIGTERM/SIGINT: as `settle produce` (the pages in flight awaited until the drain deadline, the execution
      // STOPPED after the last acknowledged page, the command over within SHUTDOWN_TIMEOUT_MS)
      const logger = ctx.logger();
      const deadline = new ShutdownDeadline(ctx.signal, config.shutdownTimeoutMs);
      const stop: { code: string | null; outcome: string | null } = { code: null, outcome: null };
      const replay = async () => {
        const wired = await wireSettlementJob(config, logger, { dryRun: false, concurrency: config.toss.concurrency, countChanges: true });
        try {
          const { pageSize, maxPages, maxRowsPerDay } = config.toss;
          const summary = await wired.value.run({
            window,
            shard,
            pageSize,
            maxPages,
            maxRowsPerDay,
            kind: 'REPLAY',
            signal: ctx.signal,
            drainDeadline: deadline.drain,
          });
          stop.outcome = summary.outcome;
          const changes = wired.changes?.counts ?? null;
          if (opts.json) ctx.out(JSON.stringify({ plan, summary, changes }));
          else {
            ctx.out(
              `${summary.outcome} replay execution ${summary.executionId} (replay of ${summary.replayOf ?? 'no completed run'}): fetched ${summary.counts.rowsFetched}, published ${summary.counts.rowsPublished}, rejected ${summary.counts.rowsRejected}`,
            );
            const unknown = unknownFieldsLine(summary);
            if (unknown) ctx.out(unknown);
            if (changes)
              ctx.out(
                `compared with MySQL before each page: ${changes.new} new, ${changes.changed} changed, ${changes.same} unchanged rows (applied once \`settle consume\` loads them)`,
              );
          }
          // stopped by SIGTERM between pages: the window is unfinished, a rerun of the replay resumes it
          if (summary.outcome === 'STOPPED') ctx.setExitCode(ExitCode.TRANSIENT);
          else if (summary.counts.rowsRejected > 0) ctx.setExitCode(ExitCode.DATA);
        } finally {
          await wired.close(deadline.drain);
        }
      };
      try {
        await deadline.within(replay());
      } catch (error) {
        stop.code = isSettleError(error) ? error.code : 'INTERNAL';
        throw error;
      } finally {
        deadline.report(logger, { command: 'replay', ...stop });
        deadline.dispose();
      }
    });
}
