/**
 * A customer's request to cancel some lines of a paid order. It groups the lines one payment cancel refunds
 * and gives that refund a stable identity (order id + seq) from which its Idempotency-Key is derived.
 */
export interface CancelRequest {
  readonly seq: number;
  readonly productIds: readonly string[];
  readonly reason: string;
  readonly requestedAt: string;
  /** When the payment cancel for these lines completed; null while it waits for restock or refund. */
  readonly refundedAt: string | null;
}

export const MAX_CANCEL_REASON_LENGTH = 200; // Toss's cancelReason limit
