import type { TossHttpCode } from './toss-http-error.js';

/**
 * Toss's payment error codes (from its published error-code page) by what the operator should do about them:
 *   TOSS_REFUSED           Toss refused the payment operation itself (exit 7): fix the business situation, not the call;
 *   TOSS_REQUEST_REJECTED  our key or request is wrong (exit 2): fix configuration or input;
 *   TOSS_UNAVAILABLE       try again later (exit 4); also retried automatically with the same Idempotency-Key.
 */
const RULE = new Set([
  'ALREADY_PROCESSED_PAYMENT',
  'REJECT_CARD_COMPANY',
  'NOT_FOUND_PAYMENT_SESSION',
  'NOT_FOUND_PAYMENT',
  'ALREADY_CANCELED_PAYMENT',
  'NOT_MATCHES_REFUNDABLE_AMOUNT',
  'INVALID_REFUND_ACCOUNT_INFO',
  'NOT_CANCELABLE_AMOUNT',
  'NOT_CANCELABLE_PAYMENT',
  'EXCEED_MAX_REFUND_DUE',
  'NOT_ALLOWED_PARTIAL_REFUND',
]);

const USAGE = new Set([
  'UNAUTHORIZED_KEY',
  'INVALID_API_KEY',
  'INCORRECT_BASIC_AUTH_FORMAT',
  'FORBIDDEN_REQUEST',
  'NOT_FOUND_MERCHANT',
  'INVALID_REQUEST',
  'INVALID_IDEMPOTENCY_KEY',
]);

/** 4xx codes whose own text says "try again shortly". */
const TRANSIENT = new Set(['IDEMPOTENT_REQUEST_PROCESSING', 'PROVIDER_ERROR', 'FORBIDDEN_CONSECUTIVE_REQUEST', 'COMMON_ERROR']);

export function paymentErrorCode(status: number, tossCode: string): TossHttpCode {
  if (status === 429 || status >= 500 || TRANSIENT.has(tossCode)) return 'TOSS_UNAVAILABLE';
  if (RULE.has(tossCode)) return 'TOSS_REFUSED';
  if (USAGE.has(tossCode) || status === 400 || status === 401) return 'TOSS_REQUEST_REJECTED';
  return 'TOSS_REFUSED'; // another 403/404/...: Toss said no to this operation
}
