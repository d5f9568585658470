import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { wireOrders } from '../../../composition/orders.js';
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
