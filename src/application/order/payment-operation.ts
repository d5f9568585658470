import { RuleViolation, SettleError } from '../../domain/shared/settle-error.js';

/** VOID: the full cancel of an approval whose method we do not accept (void-non-card-payment.ts). */
export type PaymentOperationKind = 'CONFIRM' | 'CANCEL' | 'VOID';
export type PaymentOperationStatus = 'PENDING' | 'DONE' | 'FAILED';
/** What we send Toss, kept to detect a key reused for a different intent. */
export type OperationRequest = Readonly<Record<string, string | number | null>>;

/**
 * One call to a Toss POST, recorded before the call under its Idempotency-Key. PENDING until our database holds
 * the result (DONE), or Toss refused it for good (FAILED). A PENDING row after a crash means "Toss may have done
 * it": re-running the same command sends the same key, Toss replays its first answer, and we finish the write.
 */
export interface PaymentOperation {
  readonly idempotencyKey: string;
  readonly kind: PaymentOperationKind;
  readonly orderId: string;
  readonly request: OperationRequest;
  readonly status: PaymentOperationStatus;
  readonly errorCode: string | null;
  readonly attempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export class PaymentOperationPending extends RuleViolation {
  constructor(orderId: string, pending: PaymentOperation) {
    // a VOID has no command of its own: the `order pay` that received the non-card approval finishes it
    const [what, how] = pending.kind === 'VOID' ? ['cancel of a non-card approval', 're-run the `order pay` that received it (same --payment-key) first'] : [pending.kind.toLowerCase(), 're-run that command first'];
    super(
      'PAYMENT_OPERATION_PENDING',
      `order ${orderId} has an unfinished ${what} (Idempotency-Key ${pending.idempotencyKey}) whose outcome at Toss is unknown: ${how}`,
      { orderId, idempotencyKey: pending.idempotencyKey, kind: pending.kind },
    );
  }
}

/** Toss did it, our write did not land: loud, retriable, and the message says how to finish. */
export class PaymentOperationIncomplete extends SettleError {
  constructor(idempotencyKey: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('PAYMENT_OPERATION_INCOMPLETE', `Toss accepted the request (Idempotency-Key ${idempotencyKey}) but recording it failed (${why}): re-run the same command to complete it`, {
      category: 'transient',
      cause,
      details: { idempotencyKey },
    });
  }
}

export class IdempotencyKeyConflict extends SettleError {
  constructor(idempotencyKey: string) {
    super('IDEMPOTENCY_KEY_CONFLICT', `Idempotency-Key ${idempotencyKey} was first used for a different request; refusing to reuse it`, { category: 'internal', details: { idempotencyKey } });
  }
}

export const sameRequest = (a: OperationRequest, b: OperationRequest): boolean => canonical(a) === canonical(b);

const canonical = (r: OperationRequest): string => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]));
