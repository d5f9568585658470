import { RuleViolation, SettleError } from '../../domain/shared/settle-error.js';

/** VOID: the full cancel of an approval whose method we do not accept (void-non-card-payment.ts). */
export type PaymentOperationKind = 'CONFIRM' | 'CANCEL' | 'VOID';
export type PaymentOperationStatus = 'PENDING' | 'DONE' | 'FAILED';
/** What we send Toss, kept to detect a key reused for a different intent. */
export type OperationRequest = Readonly<Record<string, string | number | null>>;

/**
 * One call to a Toss POST, recorded before the call under its Idempotency-Key. PENDING until our database holds
 * the result (DONE), or Toss answered it with an error (FAILED, with Toss's code and message). A PENDING row
 * after a crash means "Toss may have done it": re-running the same command sends the same key, Toss replays its
 * first answer, and we finish the write. FAILED is terminal for that run but never final: re-running the same
 * command tries again under the same key (attempts + 1). A FAILED VOID still blocks the order (see isUnfinished).
 */
export interface PaymentOperation {
  readonly idempotencyKey: string;
  readonly kind: PaymentOperationKind;
  readonly orderId: string;
  readonly request: OperationRequest;
  readonly status: PaymentOperationStatus;
  /** Why the last attempt failed: our error code (TOSS_REFUSED, TOSS_UNAVAILABLE … for an answer from Toss) and its message, which names Toss's code. */
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** Runs that called Toss with this key (the client's own retries of one run count once). */
  readonly attempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * An operation that blocks any other payment operation of its order: one still PENDING (Toss may do it or have
 * done it), or a VOID Toss refused (FAILED): the customer's money is then still held by the non-card approval,
 * and a second charge must not happen until that is cancelled. A FAILED confirm or cancel blocks nothing: Toss
 * did not do it.
 */
export const isUnfinished = (op: PaymentOperation): boolean => op.status === 'PENDING' || (op.kind === 'VOID' && op.status === 'FAILED');

export class PaymentOperationPending extends RuleViolation {
  constructor(orderId: string, pending: PaymentOperation) {
    // a VOID has no command of its own: the `order pay` that received the non-card approval finishes it
    const message =
      pending.kind !== 'VOID'
        ? `order ${orderId} has an unfinished ${pending.kind.toLowerCase()} (Idempotency-Key ${pending.idempotencyKey}) whose outcome at Toss is unknown: re-run that command first`
        : pending.status === 'FAILED'
          ? `order ${orderId} holds a non-card approval whose cancel Toss refused (${pending.errorCode ?? '?'}: ${pending.errorMessage ?? 'no message'}; Idempotency-Key ${pending.idempotencyKey}): the customer's money is still held; retry it first with: ${voidRetryCommand(pending)}`
          : `order ${orderId} has an unfinished cancel of a non-card approval (Idempotency-Key ${pending.idempotencyKey}) whose outcome at Toss is unknown: re-run the \`order pay\` that received it first: ${voidRetryCommand(pending)}`;
    super('PAYMENT_OPERATION_PENDING', message, { orderId, idempotencyKey: pending.idempotencyKey, kind: pending.kind, status: pending.status });
  }
}

/** Toss did it, our write did not land: loud, retriable, and the message says how to finish. */
export class PaymentOperationIncomplete extends SettleError {
  constructor(idempotencyKey: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'PAYMENT_OPERATION_INCOMPLETE',
      `Toss accepted the request (Idempotency-Key ${idempotencyKey}) but recording it failed (${why}): re-run the same command to complete it`,
      { cause, details: { idempotencyKey } },
    );
  }
}

export class IdempotencyKeyConflict extends SettleError {
  constructor(idempotencyKey: string) {
    super('IDEMPOTENCY_KEY_CONFLICT', `Idempotency-Key ${idempotencyKey} was first used for a different request; refusing to reuse it`, {
      details: { idempotencyKey },
    });
  }
}

export const sameRequest = (a: OperationRequest, b: OperationRequest): boolean => canonical(a) === canonical(b);

const canonical = (r: OperationRequest): string =>
  JSON.stringify(
    Object.keys(r)
      .sort()
      .map((k) => [k, r[k]]),
  );

/**
 * A VOID has no command of its own: the `order pay` that received the non-card approval finishes it. Re-running
 * it replays the confirm (DONE: nothing sent) and retries the cancel under the same derived Idempotency-Key.
 */
export function voidRetryCommand(op: PaymentOperation): string {
  return ['settle', 'order', 'pay', op.orderId, '--payment-key', String(op.request.paymentKey), '--amount', String(op.request.refundableAmount)]
    .map(shellWord)
    .join(' ');
}

/** Quoted for a POSIX shell only when needed (order ids and Toss paymentKeys are plain). */
const shellWord = (word: string): string => (/^[A-Za-z0-9_.:/=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);
