/**
 * Retry what is retriable, with capped exponential backoff and full jitter, honouring a server's
 * Retry-After. Programmer errors and permanent failures are never retried (isRetriable says which).
 */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly baseDelayMs: number; // first backoff, doubled each attempt
  readonly maxDelayMs: number; // cap on one wait
  readonly isRetriable: (error: unknown) => boolean;
  /** A delay the server asked for (e.g. Retry-After), taking precedence over backoff. */
  readonly retryAfterMs?: (error: unknown) => number | null;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
}

export const backoffDelay = (attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number =>
  Math.round(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));

export const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export async function retry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt > policy.maxRetries || !policy.isRetriable(error) || policy.signal?.aborted) throw error;
      const asked = policy.retryAfterMs?.(error) ?? null;
      const delayMs = asked !== null ? Math.min(asked, policy.maxDelayMs * 4) : backoffDelay(attempt, policy.baseDelayMs, policy.maxDelayMs, policy.random);
      policy.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, policy.signal);
    }
  }
}
