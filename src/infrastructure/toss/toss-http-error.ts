import { SettleError, type ErrorCode } from '../../domain/shared/settle-error.js';

/**
 * The codes an HTTP answer from Toss becomes, one per meaning (error-codes.ts); Toss's own code (an open set)
 * stays in `tossCode` and details.tossCode, and in the message.
 */
export type TossHttpCode = Extract<ErrorCode, 'TOSS_UNAVAILABLE' | 'TOSS_REQUEST_REJECTED' | 'TOSS_REFUSED' | 'TOSS_HTTP_UNEXPECTED'>;

/** An HTTP answer from Toss that was not a success, carrying Toss's own `{code, message}`. */
export class TossHttpError extends SettleError {
  constructor(
    readonly status: number,
    readonly tossCode: string,
    tossMessage: string,
    readonly retryAfterMs: number | null,
    code: TossHttpCode,
  ) {
    super(code, `Toss answered ${status} ${tossCode}: ${tossMessage}`, { details: { status, tossCode } });
  }
}

/** 429 and 5xx may pass; 409 IDEMPOTENT_REQUEST_PROCESSING means "the first request is still running". */
export function codeForStatus(status: number, tossCode: string): TossHttpCode {
  if (status === 429 || status >= 500 || tossCode === 'IDEMPOTENT_REQUEST_PROCESSING') return 'TOSS_UNAVAILABLE';
  if (status === 401 || status === 403 || status === 400 || status === 404) return 'TOSS_REQUEST_REJECTED';
  return 'TOSS_HTTP_UNEXPECTED';
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Toss's `{code, message}` from an error answer; `classify` picks our code, and with it retriable or not (payments differ). */
export function tossErrorFrom(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  classify: (status: number, tossCode: string) => TossHttpCode = codeForStatus,
): TossHttpError {
  let code = `HTTP_${status}`;
  let message = bodyText.slice(0, 200) || '(empty body)';
  try {
    const body = JSON.parse(bodyText) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON (a proxy's HTML page, say): keep the status and the start of the body
  }
  return new TossHttpError(status, code, message, parseRetryAfter(headers['retry-after']), classify(status, code));
}
