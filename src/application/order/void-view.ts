import { type PaymentOperation, type PaymentOperationStatus, voidRetryCommand } from './payment-operation.js';

export { voidRetryCommand };

/**
 * A VOID (the full cancel of an approval Toss made with a method we do not accept, void-non-card-payment.ts) as
 * `order show` and `reconcile --payments` print it (JSON field names are stable):
 *   DONE     cancelled at Toss;
 *   FAILED   Toss answered the last attempt with an error (a refusal such as NOT_CANCELABLE_PAYMENT, or still
 *            failing after the client's retries): the customer's money is still held and the order refuses any
 *            other payment until `retryCommand` succeeds;
 *   PENDING  in flight, or the last attempt got no answer (errorCode says why, e.g. TOSS_TIMEOUT): Toss may or may
 *            not have cancelled it; `retryCommand` finds out with the same key.
 */
export interface VoidView {
  readonly orderId: string;
  readonly paymentKey: string;
  readonly operation: 'VOID';
  readonly idempotencyKey: string;
  readonly status: PaymentOperationStatus;
  /** Toss's `method` literal of the approval (가상계좌, 간편결제, ...), null when it named none. */
  readonly method: string | null;
  /** KRW Toss approved and the cancel gives back in full. */
  readonly amount: number;
  readonly approvedAt: string | null;
  readonly approvalTransactionKey: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** Runs that called Toss with the key (each retried by the client up to TOSS_MAX_RETRIES times). */
  readonly attempts: number;
  readonly createdAt: string;
  /** When the last attempt started or ended: the refusal's time for a FAILED one. */
  readonly updatedAt: string;
  /** The command that retries the cancel under the same Idempotency-Key; null once DONE. */
  readonly retryCommand: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function toVoidView(op: PaymentOperation): VoidView {
  return {
    orderId: op.orderId,
    paymentKey: String(op.request.paymentKey),
    operation: 'VOID',
    idempotencyKey: op.idempotencyKey,
    status: op.status,
    method: text(op.request.method),
    amount: Number(op.request.refundableAmount),
    approvedAt: text(op.request.approvedAt),
    approvalTransactionKey: text(op.request.approvalTransactionKey),
    errorCode: op.errorCode,
    errorMessage: op.errorMessage,
    attempts: op.attempts,
    createdAt: op.createdAt,
    updatedAt: op.updatedAt,
    retryCommand: op.status === 'DONE' ? null : voidRetryCommand(op),
  };
}
