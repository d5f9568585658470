import { SettleError, isSettleError } from '../../domain/shared/settle-error.js';
import type { Clock } from '../shared/log.js';
import { voidNonCardKey } from './idempotency-keys.js';
import type { OrderStore } from './order-store.js';
import { PaymentOperationIncomplete, type OperationRequest, type PaymentOperation } from './payment-operation.js';
import type { TossApprovedPayment, TossCancelRequest, TossPayments } from './toss-payments.js';

/**
 * Toss can approve a checkout with a method we do not accept (a virtual account, an easy-pay wallet...): the
 * customer's money is then held by a payment that cannot become ours. We record that approval as a VOID operation
 * (in the same transaction that closes the confirm, so it can never be lost), cancel it in full at Toss under a
 * key derived from it, and mark it DONE. Until then the row stays PENDING and blocks any other payment of the
 * order: a second charge must not happen while the first money is still held. A rerun of the same `order pay`
 * finishes it with the same key.
 */
export interface VoidDeps {
  readonly store: OrderStore;
  readonly toss: TossPayments;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
}

/** Toss's answer when the payment is already fully cancelled (by hand, in its console): what we wanted. */
const ALREADY_CANCELED = 'TOSS_ALREADY_CANCELED_PAYMENT';

/** The PENDING VOID row written with the approval; `attempts` counts calls to Toss, none yet. */
export function nonCardVoidOperation(a: { orderId: string; paymentKey: string; amount: number; approved: TossApprovedPayment; now: string }): PaymentOperation {
  const method = a.approved.method ?? '(none)';
  const request: OperationRequest = {
    paymentKey: a.paymentKey,
    cancelReason: `payment method ${method} is not accepted (card only)`,
    cancelAmount: null,
    refundableAmount: a.amount,
    // not sent: the approval Toss made has no payment row, so this is where it stays on record
    method: a.approved.method,
    approvalTransactionKey: a.approved.transactionKey,
    approvedAt: a.approved.approvedAt,
  };
  return { idempotencyKey: voidNonCardKey(a.orderId, a.paymentKey), kind: 'VOID', orderId: a.orderId, request, status: 'PENDING', errorCode: null, attempts: 0, createdAt: a.now, updatedAt: a.now };
}

/**
 * Finishes the VOID of (orderId, paymentKey) if there is one: null when that confirm was a card payment, else
 * the operation, DONE. Throws PaymentVoidIncomplete (the cause's category: transient → exit 4) when Toss did not
 * cancel, and PaymentOperationIncomplete when Toss did but our write failed; a rerun completes both.
 */
export async function finishNonCardVoid(deps: VoidDeps, orderId: string, paymentKey: string): Promise<PaymentOperation | null> {
  const { store, toss, clock, signal } = deps;
  const key = voidNonCardKey(orderId, paymentKey);
  const op = await store.transaction(async (tx) => {
    await tx.lockOrder(orderId);
    const found = await tx.findOperation(key);
    if (!found || found.status === 'DONE') return found;
    const attempt: PaymentOperation = { ...found, status: 'PENDING', attempts: found.attempts + 1, updatedAt: clock.now().toISOString() };
    await tx.saveOperation(attempt);
    return attempt;
  });
  if (!op || op.status === 'DONE') return op;

  let errorCode: string | null = null;
  try {
    await toss.cancel(cancelRequestOf(op), key, signal);
  } catch (error) {
    if (!isSettleError(error) || error.code !== ALREADY_CANCELED) {
      // stays PENDING whatever Toss said: the money may still be held, so the order stays blocked
      const code = isSettleError(error) ? error.code : 'INTERNAL';
      await store
        .transaction(async (tx) => {
          await tx.lockOrder(orderId);
          await tx.saveOperation({ ...op, errorCode: code, updatedAt: clock.now().toISOString() });
        })
        .catch(() => undefined); // only the note of why is lost; the row is PENDING already
      throw new PaymentVoidIncomplete(op, error);
    }
    errorCode = error.code;
  }

  try {
    return await store.transaction(async (tx) => {
      await tx.lockOrder(orderId);
      const current = await tx.findOperation(key);
      if (current?.status === 'DONE') return current; // a concurrent rerun recorded it first
      const done: PaymentOperation = { ...(current ?? op), status: 'DONE', errorCode, updatedAt: clock.now().toISOString() };
      await tx.saveOperation(done);
      return done;
    });
  } catch (error) {
    throw new PaymentOperationIncomplete(key, error);
  }
}

function cancelRequestOf(op: PaymentOperation): TossCancelRequest {
  const { paymentKey, cancelReason, refundableAmount } = op.request;
  if (typeof paymentKey !== 'string' || typeof cancelReason !== 'string' || typeof refundableAmount !== 'number') {
    throw new SettleError('PAYMENT_OPERATION_CORRUPT', `operation ${op.idempotencyKey} does not hold a cancel request`, { category: 'internal', details: { idempotencyKey: op.idempotencyKey } });
  }
  return { paymentKey, cancelReason, cancelAmount: null, refundableAmount };
}

/** The non-card approval is on record but Toss has not (or not surely) cancelled it: the money may still be held. */
export class PaymentVoidIncomplete extends SettleError {
  constructor(op: PaymentOperation, cause: unknown) {
    const causeCode = isSettleError(cause) ? cause.code : 'INTERNAL';
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'PAYMENT_VOID_INCOMPLETE',
      `Toss approved payment ${String(op.request.paymentKey)} of order ${op.orderId} with method ${String(op.request.method ?? '(none)')}, which is not accepted (card only), and cancelling it at Toss (Idempotency-Key ${op.idempotencyKey}) failed (${why}): the money may still be held; re-run the same command to finish the cancel`,
      // transient → exit 4 and a rerun completes it; a refusal keeps its own category (rule → 7, usage → 2)
      { category: isSettleError(cause) ? cause.category : 'internal', cause, details: { idempotencyKey: op.idempotencyKey, orderId: op.orderId, paymentKey: op.request.paymentKey, causeCode } },
    );
  }
}
