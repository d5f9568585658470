import { SettleError, isSettleError, type ErrorCode } from '../../domain/shared/settle-error.js';

/**
 * The one classification of a Toss request that got no HTTP answer (HTTP answers are toss-http-error.ts's). Both
 * Toss clients use it, so one failure means one thing whether we were reading settlements or confirming a payment:
 *
 *   code                 when                                                   category    retried
 *   TOSS_TIMEOUT         no answer in time: the request's total deadline           transient   yes
 *                        (TOSS_TIMEOUT_MS, toss-deadline.ts), undici's connect/
 *                        headers/body timeouts, ETIMEDOUT, an AbortSignal.timeout
 *   TOSS_UNREACHABLE     the connection failed or broke: refused, reset, DNS,      transient   yes
 *                        socket closed, body cut short
 *   ABORTED              the caller's signal (shutdown): stop, a rerun resumes     transient   no
 *   TOSS_REQUEST_FAILED  anything else is our bug (invalid URL, invalid header…)   internal    no
 *
 * Retrying a payment POST after a timeout or a reset is safe only because every attempt carries the same
 * Idempotency-Key (the request may have run at Toss). Errors we already classified pass through unchanged.
 */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export type TransportFailure = Extract<ErrorCode, 'TOSS_TIMEOUT' | 'TOSS_UNREACHABLE' | 'ABORTED' | 'TOSS_REQUEST_FAILED'>;

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** Node's and undici's string code, also when wrapped one level (fetch's "fetch failed" TypeError carries it in `cause`). */
function networkCode(error: ErrorLike): string | null {
  if (typeof error.code === 'string') return error.code;
  const cause = error.cause as ErrorLike | undefined;
  return cause && typeof cause === 'object' && typeof cause.code === 'string' ? cause.code : null;
}

export function classifyTransportFailure(error: unknown): TransportFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const code = networkCode(e);
  // AbortSignal.timeout() rejects with a DOMException named TimeoutError: a timeout, not a shutdown
  if (e.name === 'TimeoutError' || (code !== null && TIMEOUT_CODES.has(code))) return 'TOSS_TIMEOUT';
  if (e.name === 'AbortError' || code === 'UND_ERR_ABORTED') return 'ABORTED';
  if (code !== null && CONNECTION_CODES.has(code)) return 'TOSS_UNREACHABLE';
  return 'TOSS_REQUEST_FAILED';
}

/**
 * `where` names the request for people, e.g. "POST /v1/payments/confirm (attempt 2)"; it must hold no secret.
 * `failure` overrides the classification when the caller knows better (its own signal aborted: a stop).
 */
export function tossTransportError(error: unknown, where: string, failure: TransportFailure = classifyTransportFailure(error)): SettleError {
  if (isSettleError(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const code = networkCode(e);
  const what = code ?? (typeof e.name === 'string' ? e.name : 'error');
  const details = code === null ? {} : { networkCode: code };
  switch (failure) {
    case 'TOSS_TIMEOUT':
      return new SettleError(failure, `Toss ${where}: no answer in time (${what})`, { cause: error, details });
    case 'TOSS_UNREACHABLE':
      return new SettleError(failure, `Toss ${where}: connection failed (${what})`, { cause: error, details });
    case 'ABORTED':
      // the caller asked us to stop: exit 4 so a rerun resumes, but never retried here (the table says so)
      return new SettleError(failure, `Toss ${where}: aborted`, { cause: error, details });
    case 'TOSS_REQUEST_FAILED': {
      const message = typeof e.message === 'string' ? e.message : String(error);
      return new SettleError(failure, `Toss ${where}: request failed (${what}: ${message})`, { cause: error, details });
    }
  }
}
