import { SettleError, isSettleError } from '../../domain/shared/settle-error.js';
import { classifyTransportFailure, tossTransportError } from './toss-transport-errors.js';

/**
 * undici's headersTimeout/bodyTimeout for a request under withinDeadline: a backstop that must never beat the
 * deadline. At the same value they raced it (undici's timers of a second or more tick on a coarse clock and can fire
 * up to a tick early), and a loaded machine then ended a slow attempt with undici's UND_ERR_HEADERS_TIMEOUT instead of
 * the deadline's TOSS_TIMEOUT naming TOSS_TIMEOUT_MS (fault scenario 7b under stress-ng). Same retry either way, but
 * one cause should give one message.
 */
export const undiciBackstopMs = (timeoutMs: number): number => timeoutMs + 2_000;

/**
 * One attempt of a Toss request (connect, headers AND the complete body) within ONE total deadline of `timeoutMs`
 * (TOSS_TIMEOUT_MS). undici's headersTimeout/bodyTimeout restart with every chunk, so a Toss trickling a byte a
 * second would never time out on them while the producer's heartbeat keeps its job claim alive: the run would hang.
 *
 * `run` gets a signal that aborts at the deadline, or at once when the caller's signal (the run's SIGTERM) does;
 * everything it awaits (the request and reading its body) must use that signal. How it ends:
 *   - the caller aborted: a stop, ABORTED (transient, never retried), whatever the abort's reason (main.ts aborts
 *     with the string 'SIGTERM'); only a caller's own timeout signal (the doctor's) stays a TOSS_TIMEOUT
 *   - the deadline passed: TOSS_TIMEOUT (transient, retried with backoff like any timeout), naming the deadline
 *   - anything else: classified by tossTransportError; our own SettleErrors (HTTP answers, bodies) pass through
 */
export async function withinDeadline<T>(
  timeoutMs: number,
  where: string,
  signal: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const linked = new AbortController();
  let expired = false;
  const onAbort = () => linked.abort(signal?.reason);
  const timer = setTimeout(() => {
    expired = true;
    linked.abort(new DOMException(`no complete answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  if (signal?.aborted) linked.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(linked.signal);
  } catch (error) {
    if (isSettleError(error)) throw error;
    if (signal?.aborted) throw tossTransportError(error, where, classifyTransportFailure(error) === 'TOSS_TIMEOUT' ? 'TOSS_TIMEOUT' : 'ABORTED');
    if (expired) {
      throw new SettleError('TOSS_TIMEOUT', `Toss ${where}: no complete answer within ${timeoutMs} ms (TOSS_TIMEOUT_MS, a total deadline per request)`, {
        cause: error,
        details: { timeoutMs },
      });
    }
    throw tossTransportError(error, where);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
