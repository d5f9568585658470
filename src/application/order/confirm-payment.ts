import { PaymentMethodNotAllowed } from '../../domain/order/order-rule-violations.js';
import { Payment } from '../../domain/order/payment.js';
import type { SettlementDateCalculator } from '../../domain/order/settlement-date-calculator.js';
import { isAllowedTossMethod, transactionTypeFromToss } from '../../domain/order/transaction-types.js';
import type { Clock } from '../shared/log.js';
import { confirmKey } from './idempotency-keys.js';
import { requireOrder, requirePayment, type OrderStore } from './order-store.js';
import { toOrderView, type OrderCommandResult } from './order-view.js';
import { runPaymentOperation } from './payment-operation-runner.js';
import type { TossApprovedPayment, TossPayments } from './toss-payments.js';
import { finishNonCardVoid, nonCardVoidOperation } from './void-non-card-payment.js';

export interface ConfirmPaymentInput {
  readonly orderId: string;
  /** From Toss's checkout success redirect. */
  readonly paymentKey: string;
  readonly amount: number;
}

export interface OrderPaymentDeps {
  readonly store: OrderStore;
  readonly toss: TossPayments;
  readonly clock: Clock;
  readonly calculator: SettlementDateCalculator;
  readonly signal?: AbortSignal;
}

/**
 * Confirms a card payment at Toss (POST /v1/payments/confirm) and records it with its ledger's approval entry.
 * An approval with any other method is recorded as a VOID operation instead, cancelled in full at Toss, and the
 * command is refused with PaymentMethodNotAllowed (exit 7); the order stays ORDER_COMPLETED, payable by card.
 */
export class ConfirmPayment {
  constructor(private readonly deps: OrderPaymentDeps) {}

  async execute(input: ConfirmPaymentInput): Promise<OrderCommandResult> {
    const { store, toss, clock, calculator, signal } = this.deps;
    const key = confirmKey(input.orderId, input.paymentKey);
    const outcome = await runPaymentOperation<ConfirmPaymentInput, TossApprovedPayment>(store, clock, {
      kind: 'CONFIRM',
      orderId: input.orderId,
      knownKey: key,
      async plan(tx) {
        Payment.checkPaymentKey(input.paymentKey);
        (await requireOrder(tx, input.orderId)).checkPayable(input.amount);
        return { key, request: { paymentKey: input.paymentKey, orderId: input.orderId, amount: input.amount }, plan: input };
      },
      call: (p, k) => toss.confirm({ paymentKey: p.paymentKey, orderId: p.orderId, amount: p.amount }, k, signal),
      async record(tx, p, approved) {
        if (!isAllowedTossMethod(approved.method)) {
          // Toss holds the money now: the cancel is written in the same transaction that closes the confirm
          await tx.saveOperation(
            nonCardVoidOperation({ orderId: p.orderId, paymentKey: p.paymentKey, amount: p.amount, approved, now: clock.now().toISOString() }),
          );
          return;
        }
        const order = await requireOrder(tx, p.orderId);
        // Amount from our order (checked by pay), time and transactionKey from Toss (what settlements carry).
        const payment = order.pay(
          {
            paymentKey: p.paymentKey,
            amount: p.amount,
            method: transactionTypeFromToss(approved.method, approved.methodDetails),
            approvedAt: approved.approvedAt,
            transactionKey: approved.transactionKey,
          },
          calculator,
        );
        await tx.saveOrder(order);
        await tx.savePayment(payment);
      },
    });
    // also on a replay: an earlier run may have recorded the non-card approval without finishing its cancel
    const voided = await finishNonCardVoid(this.deps, input.orderId, input.paymentKey);
    if (voided)
      throw new PaymentMethodNotAllowed({
        orderId: input.orderId,
        paymentKey: input.paymentKey,
        method: typeof voided.request.method === 'string' ? voided.request.method : null,
        voidIdempotencyKey: voided.idempotencyKey,
      });
    const order = await store.transaction(async (tx) => toOrderView(await requireOrder(tx, input.orderId), await requirePayment(tx, input.orderId)));
    return { order, idempotencyKey: outcome.idempotencyKey ?? key, replayed: outcome.replayed };
  }
}
