import { SettleError, isSettleError, type ErrorCategory, type ErrorCode } from '../../domain/shared/settle-error.js';
import type { Clock } from '../shared/log.js';
import { voidNonCardKey } from './idempotency-keys.js';
import type { OrderStore } from './order-store.js';
import { PaymentOperationIncomplete, type OperationRequest, type PaymentOperation } from './payment-operation.js';
import { tossAnswered, type TossApprovedPayment, type TossCancelRequest, type TossPayments } from './toss-payments.js';
import { voidRetryCommand } from './void-view.js';

/**
 * Toss can approve a checkout with a method we do not accept (a virtual account, an easy-pay wallet...): the
 * customer's money is then held by a payment that cannot become ours. We record that approval as a VOID operation
 * (in the same transaction that closes the confirm, so it can never be lost), cancel it in full at Toss under a
 * key derived from it, and mark it DONE. While it is not DONE it blocks any other payment of the order: a second
 * charge must not happen while the first money is still held. When Toss answers the cancel with an error (a
 * refusal, or a failure that outlasted the client's retries) the row becomes FAILED with Toss's code and message,
 * which `order show` and `reconcile --payments` print with the command that retries it; when no answer came it
 * stays PENDING (Toss may have cancelled) with the error noted. Either way a rerun of the same `order pay` retries
 * the cancel with the same key (voidRetryCommand), so Toss cancels at most once.
 */
export interface VoidDeps {
  readonly store: OrderStore;
  readonly toss: TossPayments;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
}

/** Toss's answer when the payment is already fully cancelled (by hand, in its console): what we wanted. */
const alreadyCanceled = (error: unknown): error is SettleError =>
  isSettleError(error) && error.code === 'TOSS_REFUSED' && error.details.tossCode === 'ALREADY_CANCELED_PAYMENT';

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
  return {
    idempotencyKey: voidNonCardKey(a.orderId, a.paymentKey),
    kind: 'VOID',
    orderId: a.orderId,
    request,
    status: 'PENDING',
    errorCode: null,
    errorMessage: null,
    attempts: 0,
    createdAt: a.now,
    updatedAt: a.now,
  };
}

/**
 * Finishes the VOID of (orderId, paymentKey) if there is one: null when that confirm was a card payment, else
 * the operation, DONE. Throws PaymentVoidIncomplete (the cause's category: transient → exit 4, a refusal → 7 or 2)
 * when Toss did not cancel, having recorded the row FAILED (Toss answered) or PENDING (no answer), and
 * PaymentOperationIncomplete when Toss did but our write failed; a rerun completes all three.
 */
export async function finishNonCardVoid(deps: VoidDeps, orderId: string, paymentKey: string): Promise<PaymentOperation | null> {
  const { store, toss, clock, signal } = deps;
  const key = voidNonCardKey(orderId, paymentKey);
  const op = await store.transaction(async (tx) => {
    await tx.lockOrder(orderId);
    const found = await tx.findOperation(key);
    if (!found || found.status === 'DONE') return found;
    // PENDING again while this attempt runs (a FAILED one too): the previous attempt's error no longer describes it
    const attempt: PaymentOperation = {
      ...found,
      status: 'PENDING',
      errorCode: null,
      errorMessage: null,
      attempts: found.attempts + 1,
      updatedAt: clock.now().toISOString(),
    };
    await tx.saveOperation(attempt);
    return attempt;
  });
  if (!op || op.status === 'DONE') return op;

  let errorCode: string | null = null;
  let errorMessage: string | null = null;
  try {
    await toss.cancel(cancelRequestOf(op), key, signal);
  } catch (error) {
    if (!alreadyCanceled(error)) {
      // Toss answered no: FAILED, terminal for this run but retryable. No answer: PENDING, Toss may have done it.
      // Both keep blocking the order: the money may still be held.
      const failed: PaymentOperation = {
        ...op,
        status: tossAnswered(error) ? 'FAILED' : 'PENDING',
        errorCode: isSettleError(error) ? error.code : 'INTERNAL',
        errorMessage: (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_MESSAGE),
        updatedAt: clock.now().toISOString(),
      };
      await store
        .transaction(async (tx) => {
          await tx.lockOrder(orderId);
          if ((await tx.findOperation(key))?.status === 'DONE') return; // a concurrent rerun finished it meanwhile
          await tx.saveOperation(failed);
        })
        .catch(() => undefined); // the row stays PENDING (still blocking, still retried by a rerun): only the note of why is lost
      throw new PaymentVoidIncomplete(failed, error);
    }
    // Toss's own code (ALREADY_CANCELED_PAYMENT) is in the message: TOSS_REFUSED alone would not say why it is DONE
    errorCode = error.code;
    errorMessage = error.message.slice(0, MAX_ERROR_MESSAGE);
  }

  try {
    return await store.transaction(async (tx) => {
      await tx.lockOrder(orderId);
      const current = await tx.findOperation(key);
      if (current?.status === 'DONE') return current; // a concurrent rerun recorded it first
      const done: PaymentOperation = { ...(current ?? op), status: 'DONE', errorCode, errorMessage, updatedAt: clock.now().toISOString() };
      await tx.saveOperation(done);
      return done;
    });
  } catch (error) {
    throw new PaymentOperationIncomplete(key, error);
  }
}

/** payment_operations.error_message is VARCHAR(500). */
const MAX_ERROR_MESSAGE = 500;

function cancelRequestOf(op: PaymentOperation): TossCancelRequest {
  const { paymentKey, cancelReason, refundableAmount } = op.request;
  if (typeof paymentKey !== 'string' || typeof cancelReason !== 'string' || typeof refundableAmount !== 'number') {
    throw new SettleError('PAYMENT_OPERATION_CORRUPT', `operation ${op.idempotencyKey} does not hold a cancel request`, {
      details: { idempotencyKey: op.idempotencyKey },
    });
  }
  return { paymentKey, cancelReason, cancelAmount: null, refundableAmount };
}

/**
 * The code of a void Toss did not do, by what its cause means: no answer or "try again" → exit 4 and a rerun
 * completes it; a refusal → 7; our key or request rejected → 2; anything else → 1.
 */
const VOID_CODES: Partial<Record<ErrorCategory, ErrorCode>> = {
  transient: 'PAYMENT_VOID_INCOMPLETE',
  rule: 'PAYMENT_VOID_REFUSED',
  usage: 'PAYMENT_VOID_REJECTED',
};

/** The non-card approval is on record but Toss has not (or not surely) cancelled it: the money may still be held. */
export class PaymentVoidIncomplete extends SettleError {
  constructor(op: PaymentOperation, cause: unknown) {
    const causeCode = isSettleError(cause) ? cause.code : 'INTERNAL';
    const why = cause instanceof Error ? cause.message : String(cause);
    const outcome = op.status === 'FAILED' ? 'Toss refused to cancel it' : 'cancelling it at Toss got no answer';
    const retry = voidRetryCommand(op);
    super(
      (isSettleError(cause) ? VOID_CODES[cause.category] : undefined) ?? 'PAYMENT_VOID_FAILED',
      `Toss approved payment ${String(op.request.paymentKey)} of order ${op.orderId} with method ${String(op.request.method ?? '(none)')}, which is not accepted (card only), and ${outcome} (Idempotency-Key ${op.idempotencyKey}, attempt ${op.attempts}: ${why}): the money may still be held and the order refuses any other payment; retry with: ${retry}`,
      {
        cause,
        details: {
          idempotencyKey: op.idempotencyKey,
          orderId: op.orderId,
          paymentKey: op.request.paymentKey,
          causeCode,
          status: op.status,
          attempts: op.attempts,
          retryCommand: retry,
        },
      },
    );
  }
}
