import type { Command } from 'commander';
import { settlementWindow } from '../../../domain/settlement/settlement-window.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { dateFlag, usage } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';
import { wireReconcile } from '../../../composition/reconcile.js';
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
    .option('--payments', 'instead: local payments vs loaded settlements (overdue unsettled payments, settlement rows with no local payment)')
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
      const wired = await wireReconcile(config, ctx.logger());
      try {
        const report = await wired.value.run(window, ctx.signal);
        const all = opts.all === true;
        if (opts.json) ctx.out(reconcileJson(report, all));
        else for (const line of reconcileText(report, all)) ctx.out(line);
        if (report.result.status !== 'OK') {
          const { kafkaDiff: k, mysqlDiff: m } = report.result;
          ctx.err(`settle: RECONCILE_MISMATCH: Kafka missing ${k.missing.length}, extra ${k.extra.length}, different ${k.changed.length}; MySQL missing ${m.missing.length}, extra ${m.extra.length}, different ${m.changed.length}`);
          ctx.setExitCode(ExitCode.DATA);
        }
      } finally {
        await wired.close();
      }
    });
}
