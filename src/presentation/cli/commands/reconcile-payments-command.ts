import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { formatReconciliation } from './order-output.js';

export interface ReconcilePaymentsOptions {
  readonly from: string;
  readonly to: string;
  readonly json?: boolean;
}

/**
 * Payments and cancels past their expected settlement date with no settlements row, settlements rows with no
 * local payment, and non-card approvals whose cancel (VOID) is not done (FAILED: Toss refused it; PENDING: no
 * answer); exit 3 on any finding. An unfinished VOID counts because it is money held at Toss for a payment we
 * refused, and nothing else ever tells an operator: the exit code is what a scheduled reconcile alerts on. A
 * plain function so `settle reconcile --payments` can call it too.
 */
export async function reconcilePaymentsAction(
  ctx: CliContext,
  options: ReconcilePaymentsOptions,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Promise<void> {
  const config = ctx.config(['mysql'], overrides);
  const { wireOrders } = await import('../../../composition/orders.js'); // loaded on use, as in `settle order`
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
