import type { Command } from 'commander';
import { settlementWindow } from '../../../domain/settlement/settlement-window.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode, exitCodeFor, exitCodeOf } from '../exit-codes.js';
import { isSettleError } from '../../../domain/shared/settle-error.js';
import { errorCodeEntry, type ErrorCode } from '../../../domain/shared/error-codes.js';
import type { ReconcileReport } from '../../../application/settlement/reconcile-window.js';
import { dateFlag, usage } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';
import { KEYS_SHOWN, reconcileJson, reconcileText } from './reconcile-output.js';
import { reconcilePaymentsAction } from './reconcile-payments-command.js';

interface ReconcileOptions {
  from?: string;
  to?: string;
  dateType: string;
  json?: boolean;
  all?: boolean;
  payments?: boolean;
}

export function registerReconcileCommand(program: Command, ctx: CliContext): void {
  program
    .command('reconcile')
    .description('prove Toss = Kafka = MySQL for a window, per date; names missing or extra transaction keys')
    .option('--from <date>', 'first date, YYYY-MM-DD', dateFlag('--from'))
    .option('--to <date>', 'last date, YYYY-MM-DD (inclusive)', dateFlag('--to'))
    .option('--date-type <type>', 'soldDate | paidOutDate', 'soldDate')
    .option('--json', 'JSON output')
    .option('--all', `list every differing key (default: the first ${KEYS_SHOWN} per side and kind)`)
    .option(
      '--payments',
      'instead: local payments vs loaded settlements (overdue unsettled payments, settlement rows with no local payment, non-card approvals whose cancel is not done)',
    )
    .addHelpText(
      'after',
      '\nKafka means the records of the COMPLETED runs and replays of overlapping windows of the same date type (and\n' +
        'the executions they resumed). Each result is recorded in MySQL (reconciliation_runs, reconciliation_results).\n' +
        'Exit 0 when all three agree, 3 on any mismatch.',
    )
    .action(async (opts: ReconcileOptions, cmd: Command) => {
      if (!opts.from || !opts.to) throw usage('INVALID_WINDOW', 'reconcile needs --from and --to');
      if (opts.payments) return reconcilePaymentsAction(ctx, { from: opts.from, to: opts.to, json: opts.json === true }, globalOverrides(cmd));
      const window = settlementWindow(opts.from, opts.to, opts.dateType);
      const config = ctx.config(['toss', 'kafka', 'registry', 'mysql'], globalOverrides(cmd));
      const started = Date.now();
      // the result outlives the process: pushed to the Pushgateway (PUSHGATEWAY_URL) for the mismatch alert
      const pushRun = async (outcome: 'OK' | 'MISMATCH' | 'FAILED', exitCode: number, mismatchedDates: number | null, errorCode: string | null) => {
        const url = config.pushgatewayUrl;
        if (!url) return;
        const { pushReconcileRun } = await import('../../../infrastructure/metrics/pushgateway.js');
        await pushReconcileRun(
          url,
          { window, outcome, exitCode, mismatchedDates, durationMs: Date.now() - started, finishedAt: new Date(), errorCode },
          { logger: ctx.logger() },
        );
      };
      let report: ReconcileReport;
      try {
        // loaded on use: the clients of Toss, Kafka, the registry and MySQL stay out of every other command's memory
        const { wireReconcile } = await import('../../../composition/reconcile.js');
        const wired = await wireReconcile(config, ctx.logger());
        try {
          report = await wired.value.run(window, ctx.signal);
        } finally {
          await wired.close();
        }
      } catch (error) {
        await pushRun('FAILED', exitCodeOf(error), null, isSettleError(error) ? error.code : 'INTERNAL');
        throw error;
      }
      const all = opts.all === true;
      if (opts.json) ctx.out(reconcileJson(report, all));
      else for (const line of reconcileText(report, all)) ctx.out(line);
      const mismatched = report.result.dates.filter((d) => d.status !== 'OK').length;
      if (report.result.status !== 'OK') {
        const { kafkaDiff: k, mysqlDiff: m } = report.result;
        ctx.err(
          `settle: ${MISMATCH}: Kafka missing ${k.missing.length}, extra ${k.extra.length}, different ${k.changed.length}; MySQL missing ${m.missing.length}, extra ${m.extra.length}, different ${m.changed.length}`,
        );
        ctx.setExitCode(MISMATCH_EXIT);
      }
      await pushRun(report.result.status === 'OK' ? 'OK' : 'MISMATCH', report.result.status === 'OK' ? ExitCode.OK : MISMATCH_EXIT, mismatched, null);
    });
}

/** A mismatch is a finding, not a throw: the code is printed like an error's and exits with its category's code. */
const MISMATCH: ErrorCode = 'RECONCILE_MISMATCH';
const MISMATCH_EXIT = exitCodeFor(errorCodeEntry(MISMATCH).category);
