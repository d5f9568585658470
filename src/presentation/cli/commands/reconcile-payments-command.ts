import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { dateFlag } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';
import { wireOrders } from '../order-wiring.js';
import { formatReconciliation } from './order-output.js';

export interface ReconcilePaymentsOptions {
  readonly from: string;
  readonly to: string;
  readonly json?: boolean;
}

/**
 * Payments and cancels past their expected settlement date with no settlements row, and settlements rows with
 * no local payment; exit 3 on any finding. A plain function so `settle reconcile --payments` can call it too.
 */
export async function reconcilePaymentsAction(ctx: CliContext, options: ReconcilePaymentsOptions, overrides: Readonly<Record<string, string | undefined>> = {}): Promise<void> {
  const config = ctx.config(['mysql'], overrides);
  const wired = await wireOrders(config, ctx.logger(), { signal: ctx.signal });
  try {
    const result = await wired.useCases.reconcile.execute({ from: options.from, to: options.to });
    if (options.json) ctx.out(JSON.stringify(result));
    else for (const line of formatReconciliation(result)) ctx.out(line);
    if (result.findings > 0) ctx.setExitCode(ExitCode.DATA);
  } finally {
    await wired.close();
  }
}

export function registerReconcilePaymentsCommand(program: Command, ctx: CliContext): void {
  program
    .command('reconcile-payments')
    .description('local payments vs loaded settlements for a date window: overdue unsettled payments and unknown settlement rows (exit 3 on findings)')
    .requiredOption('--from <date>', 'first expected settlement / payout date, YYYY-MM-DD', dateFlag('--from'))
    .requiredOption('--to <date>', 'last expected settlement / payout date, YYYY-MM-DD', dateFlag('--to'))
    .option('--json', 'print JSON')
    .action((opts: ReconcilePaymentsOptions, cmd: Command) => reconcilePaymentsAction(ctx, opts, globalOverrides(cmd)));
}
