import { LocalDate, todayInSeoul } from '../../domain/calendar/local-date.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import type { Clock } from '../shared/log.js';
import type { PaymentReconciliationSource, UnknownSettlement, UnsettledEntry } from './payment-reconciliation-source.js';
import { toVoidView, type VoidView } from './void-view.js';

export interface PaymentReconciliation {
  readonly from: string;
  readonly to: string;
  /** Asia/Seoul date the check ran on: an entry is overdue when its expected date is before it. */
  readonly today: string;
  readonly unsettled: readonly UnsettledEntry[];
  readonly unknownSettlements: readonly UnknownSettlement[];
  /** Non-card approvals whose cancel at Toss is not done (FAILED: Toss refused it; PENDING: no answer), any date. */
  readonly unfinishedVoids: readonly VoidView[];
  readonly findings: number;
}

/**
 * Payments (approvals and cancels) that should have been settled by now but have no settlements row,
 * settlements rows that match no local payment, and non-card approvals whose cancel (VOID) is not done. All are
 * findings; the caller decides the exit code. The unfinished VOIDs are listed whatever the window: they have no
 * settlement date, the customer's money may still be held at Toss, and they stay findings until their retry
 * command has cancelled them.
 */
export class ReconcilePayments {
  constructor(private readonly deps: { readonly source: PaymentReconciliationSource; readonly clock: Clock }) {}

  async execute(window: { readonly from: string; readonly to: string }): Promise<PaymentReconciliation> {
    const from = LocalDate.parse(window.from, '--from');
    const to = LocalDate.parse(window.to, '--to');
    if (to.isBefore(from)) throw new SettleError('RECONCILE_WINDOW_INVALID', `--to ${window.to} is before --from ${window.from}`);
    const today = todayInSeoul(this.deps.clock.now()).toString();
    const [unsettled, unknownSettlements, voids] = await Promise.all([
      this.deps.source.unsettledEntries(from.toString(), to.toString(), today),
      this.deps.source.unknownSettlements(from.toString(), to.toString()),
      this.deps.source.unfinishedVoids(),
    ]);
    const unfinishedVoids = voids.map(toVoidView);
    return {
      from: from.toString(),
      to: to.toString(),
      today,
      unsettled,
      unknownSettlements,
      unfinishedVoids,
      findings: unsettled.length + unknownSettlements.length + unfinishedVoids.length,
    };
  }
}
