import { cancelKey } from './idempotency-keys.js';
import type { OrderPaymentDeps } from './confirm-payment.js';
import { requireOrder, requirePayment } from './order-store.js';
import { toOrderView, type OrderCommandResult } from './order-view.js';
import { runPaymentOperation } from './payment-operation-runner.js';
import type { TossCanceledPayment, TossCancelRequest } from './toss-payments.js';

export interface CancelPaymentInput {
  readonly orderId: string;
  /** Which cancel request to refund; the oldest one not refunded yet when absent. */
  readonly cancelRequestSeq?: number;
}

interface CancelPlan {
  readonly seq: number;
  readonly request: TossCancelRequest;
}

/**
 * Refunds one restocked cancel request through Toss (POST /v1/payments/{paymentKey}/cancel): a partial cancel
 * of exactly its lines' amount, or a full cancel when they are the last live lines. The ledger records our
 * amount; from Toss we take only the transactionKey and time (a mock's canned response cannot move our money).
 */
export class CancelPayment {
  constructor(private readonly deps: OrderPaymentDeps) {}

  async execute(input: CancelPaymentInput): Promise<OrderCommandResult> {
    const { store, toss, clock, calculator, signal } = this.deps;
    const outcome = await runPaymentOperation<CancelPlan, TossCanceledPayment>(store, clock, {
      kind: 'CANCEL',
      orderId: input.orderId,
      ...(input.cancelRequestSeq === undefined ? {} : { knownKey: cancelKey(input.orderId, input.cancelRequestSeq) }),
      async plan(tx) {
        const order = await requireOrder(tx, input.orderId);
        const payment = await requirePayment(tx, input.orderId);
        const plan = order.planPaymentCancel(payment, input.cancelRequestSeq);
        const request: TossCancelRequest = {
          paymentKey: payment.paymentKey,
          cancelReason: plan.request.reason,
          cancelAmount: plan.full ? null : plan.amount,
          refundableAmount: payment.balance,
        };
        return { key: cancelKey(order.orderId, plan.request.seq), request: { ...request }, plan: { seq: plan.request.seq, request } };
      },
      call: (p, k) => toss.cancel(p.request, k, signal),
      async record(tx, p, canceled) {
        const order = await requireOrder(tx, input.orderId);
        const payment = await requirePayment(tx, input.orderId);
        order.cancelPayment(payment, { seq: p.seq, canceledAt: canceled.canceledAt, transactionKey: canceled.transactionKey }, calculator);
        await tx.saveOrder(order);
        await tx.savePayment(payment);
      },
    });
    const order = await store.transaction(async (tx) => toOrderView(await requireOrder(tx, input.orderId), await requirePayment(tx, input.orderId)));
    return { order, idempotencyKey: outcome.idempotencyKey, replayed: outcome.replayed };
  }
}
