import { describe, expect, it } from 'vitest';
import { backoffDelay, retry } from '../../../src/application/shared/retry.js';
import { parseRetryAfter } from '../../../src/infrastructure/toss/toss-http-error.js';

class Flaky extends Error {
  constructor(
    readonly retriable: boolean,
    readonly retryAfter: number | null = null,
  ) {
    super(retriable ? 'try again' : 'permanent');
  }
}

const policy = (sleeps: number[], maxRetries = 3) => ({
  maxRetries,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  isRetriable: (e: unknown) => e instanceof Flaky && e.retriable,
  retryAfterMs: (e: unknown) => (e instanceof Flaky ? e.retryAfter : null),
  random: () => 1,
  sleep: async (ms: number) => {
    sleeps.push(ms);
  },
});

describe('retry', () => {
  it('retries retriable failures with doubling, capped delays and then succeeds', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls += 1;
        if (calls < 4) throw new Flaky(true);
        return 'ok';
      },
      policy(sleeps, 5),
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('gives up after maxRetries and rethrows the last error', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls += 1;
          throw new Flaky(true);
        },
        policy(sleeps, 2),
      ),
    ).rejects.toThrow('try again');
    expect(calls).toBe(3);
  });

  it('never retries a permanent error', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls += 1;
        throw new Flaky(false);
      }, policy([])),
    ).rejects.toThrow('permanent');
    expect(calls).toBe(1);
  });

  it('waits as long as the server asked (Retry-After) instead of the backoff', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await retry(async () => {
      calls += 1;
      if (calls === 1) throw new Flaky(true, 2500);
      return calls;
    }, policy(sleeps));
    expect(sleeps).toEqual([2500]);
  });

  it('caps the exponential backoff and applies full jitter', () => {
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 100, 1000, () => 0.5)).toBe(200);
    expect(backoffDelay(1, 100, 1000, () => 0)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(10_000 + 4_000).toUTCString(), 10_000)).toBe(4000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});
