/**
 * Idempotency-Keys derived from OUR intent, never random: re-running the same command must send the same key so
 * Toss replays its first answer instead of charging or refunding twice. Toss allows up to 300 characters; an
 * orderId is ≤ 64 and a paymentKey ≤ 200, so these stay under it (the longest, void-non-card, is ≤ 286).
 */
export const confirmKey = (orderId: string, paymentKey: string): string => `settle:confirm:${orderId}:${paymentKey}`;

/** A cancel refunds one cancel request (order + seq), whatever the amount turns out to be. */
export const cancelKey = (orderId: string, cancelRequestSeq: number): string => `settle:cancel:${orderId}:${cancelRequestSeq}`;

/** Cancels, in full, an approval Toss made with a method we do not accept: one per approved payment. */
export const voidNonCardKey = (orderId: string, paymentKey: string): string => `settle:void-non-card:${orderId}:${paymentKey}`;
