import { isSettleError, type SettleError } from '../../domain/shared/settle-error.js';

/**
 * The Toss payments calls the use cases make; `idempotencyKey` goes out as the Idempotency-Key header. A call
 * Toss answered with an error (after the client's retries of the retriable ones) throws a SettleError whose
 * details carry the HTTP `status` and Toss's `tossCode` (see tossAnswered); one that got no answer, or an answer
 * we could not read, carries neither: Toss may have done it.
 */
export interface TossPayments {
  confirm(request: TossConfirmRequest, idempotencyKey: string, signal?: AbortSignal): Promise<TossApprovedPayment>;
  cancel(request: TossCancelRequest, idempotencyKey: string, signal?: AbortSignal): Promise<TossCanceledPayment>;
}

export interface TossConfirmRequest {
  readonly paymentKey: string;
  readonly orderId: string;
  readonly amount: number;
}

/** What we keep from Toss's Payment object after a confirm. Amounts are ours (the ledger), not copied from here. */
export interface TossApprovedPayment {
  readonly status: string;
  /** Toss's `method` literal (카드, 가상계좌, ...) and that method's object (`card` for cards). */
  readonly method: string | null;
  readonly methodDetails: Readonly<Record<string, unknown>> | null;
  /** UTC ISO-8601 instant. */
  readonly approvedAt: string;
  readonly transactionKey: string;
  readonly totalAmount: number;
  readonly balanceAmount: number;
}

export interface TossCancelRequest {
  readonly paymentKey: string;
  readonly cancelReason: string;
  /** null = full cancel (Toss cancels the whole remaining balance when cancelAmount is omitted). */
  readonly cancelAmount: number | null;
  /** Our ledger's balance: Toss refuses instead of cancelling if its own balance differs (optimistic check). */
  readonly refundableAmount: number;
}

export interface TossCanceledPayment {
  readonly status: string;
  readonly transactionKey: string;
  /** UTC ISO-8601 instant. */
  readonly canceledAt: string;
  readonly balanceAmount: number;
}

/** True when Toss itself answered the call with an error (a refusal, or a failure that outlasted the client's retries), not when no answer came. */
export function tossAnswered(error: unknown): error is SettleError {
  return isSettleError(error) && typeof error.details.status === 'number' && typeof error.details.tossCode === 'string';
}
