import type { Command } from 'commander';
import { settlementWindow } from '../../../domain/settlement/settlement-window.js';
import type { CliContext } from '../cli-context.js';
import { dateFlag, intFlag, usage } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';
import { renderTable, type Column } from '../table.js';

/** The keys give way (wrap) when the table is wider than the terminal; `--json` is the form for programs. */
const COLUMNS: readonly Column[] = [
  { header: 'transactionKey', wrap: true, min: 16 },
  { header: 'paymentKey', wrap: true, min: 16 },
  { header: 'method', wrap: true, min: 6 },
  { header: 'amount', align: 'right' },
  { header: 'fee', align: 'right' },
  { header: 'payOutAmount', align: 'right' },
  { header: 'soldDate' },
  { header: 'paidOutDate' },
];

export function registerSettlementsCommand(program: Command, ctx: CliContext): void {
  program
    .command('settlements')
    .description('what MySQL holds')
    .command('list')
    .description('loaded settlement rows of a window')
    .option('--from <date>', 'first date, YYYY-MM-DD', dateFlag('--from'))
    .option('--to <date>', 'last date, YYYY-MM-DD (inclusive)', dateFlag('--to'))
    .option('--date-type <type>', 'soldDate | paidOutDate', 'soldDate')
    .option('--limit <n>', 'at most this many rows', intFlag('--limit', 1, 1_000_000), 100)
    .option('--json', 'one JSON array')
    .action(async (opts: { from?: string; to?: string; dateType: string; limit: number; json?: boolean }, cmd: Command) => {
      if (!opts.from || !opts.to) throw usage('INVALID_WINDOW', 'settlements list needs --from and --to');
      const window = settlementWindow(opts.from, opts.to, opts.dateType);
      const config = ctx.config(['mysql'], globalOverrides(cmd));
      // loaded on use: mysql2 stays out of every other command's memory
      const { listLoadedSettlements } = await import('../../../composition/database.js');
      const rows = await listLoadedSettlements(config, window, opts.limit);
      if (opts.json) return ctx.out(JSON.stringify(rows));
      for (const line of renderTable(
        COLUMNS,
        rows.map((r) => [r.transactionKey, r.paymentKey, r.method, r.amount, r.fee ?? '-', r.payOutAmount, r.soldDate, r.paidOutDate]),
      ))
        ctx.out(line);
      ctx.out(`${rows.length} row(s)`);
    });
}
