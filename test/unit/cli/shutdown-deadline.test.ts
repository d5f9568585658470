import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { drainAfterMs, giveUpAfterMs, ShutdownDeadline } from '../../../src/presentation/shutdown/shutdown-deadline.js';
import type { Logger } from '../../../src/infrastructure/logging/logger.js';

/** A logger that keeps what it was given (only `info` is used). */
const recording = () => {
  const lines: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const log = { info: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }) } as unknown as Logger;
  return { lines, log };
};

describe('ShutdownDeadline', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const advance = (ms: number) => {
    now += ms;
    vi.advanceTimersByTime(ms);
  };

  it('leaves room inside the deadline: the wait for acks ends first, then the command gives up, both before it', () => {
    expect([drainAfterMs(10_000), giveUpAfterMs(10_000)]).toEqual([8_000, 9_000]);
    expect([drainAfterMs(30_000), giveUpAfterMs(30_000)]).toEqual([26_000, 29_000]);
    expect([drainAfterMs(1_000), giveUpAfterMs(1_000)]).toEqual([800, 900]); // SHUTDOWN_TIMEOUT_MS's minimum
    for (const d of [1_000, 5_000, 10_000, 30_000, 600_000]) expect(drainAfterMs(d)).toBeLessThan(giveUpAfterMs(d));
    for (const d of [1_000, 5_000, 10_000, 30_000, 600_000]) expect(giveUpAfterMs(d)).toBeLessThan(d);
  });

  it('counts from the signal, not from its own start: nothing aborts and nothing is reported without one', () => {
    const signal = new AbortController();
    const deadline = new ShutdownDeadline(signal.signal, 10_000, clock);
    advance(60_000);
    expect(deadline.drain.aborted).toBe(false);
    expect(deadline.expired.aborted).toBe(false);
    expect(deadline.leftMs()).toBe(10_000);
    const { lines, log } = recording();
    deadline.report(log);
    expect(lines).toEqual([]);
    deadline.dispose();
  });

  it('after the signal: drain at 8 s, give up at 9 s of 10 s; within() then rejects SHUTDOWN_DEADLINE_EXCEEDED', async () => {
    const signal = new AbortController();
    const deadline = new ShutdownDeadline(signal.signal, 10_000, clock);
    advance(5_000);
    signal.abort('SIGTERM');
    const never = deadline.within(new Promise<never>(() => undefined));
    never.catch(() => undefined);
    advance(7_999);
    expect(deadline.drain.aborted).toBe(false);
    advance(1);
    expect(deadline.drain.aborted).toBe(true);
    expect(deadline.expired.aborted).toBe(false);
    expect(deadline.leftMs()).toBe(1_000);
    advance(1_000);
    expect(deadline.expired.aborted).toBe(true);
    await expect(never).rejects.toMatchObject({ code: 'SHUTDOWN_DEADLINE_EXCEEDED', category: 'transient' });
    const { lines, log } = recording();
    deadline.report(log, { command: 'produce' });
    expect(lines).toEqual([{ msg: 'shutdown', fields: { command: 'produce', tookMs: 9_000, deadlineMs: 10_000, withinDeadline: true } }]);
    deadline.dispose();
  });

  it('work that finishes in time passes through (its value or its own error), and the report measures it', async () => {
    const signal = new AbortController();
    signal.abort('SIGTERM'); // already signalled when the command starts
    const deadline = new ShutdownDeadline(signal.signal, 10_000, clock);
    await expect(deadline.within(Promise.resolve(42))).resolves.toBe(42);
    await expect(deadline.within(Promise.reject(new Error('own')))).rejects.toThrow('own');
    advance(1_234);
    const { lines, log } = recording();
    deadline.report(log);
    expect(lines[0]?.fields).toMatchObject({ tookMs: 1_234, deadlineMs: 10_000 });
    deadline.dispose();
    advance(60_000);
    expect(deadline.expired.aborted).toBe(false); // disposed: its timers are gone
  });

  it('begin(), for a command that stops on its own: the countdown runs from then with the whole deadline, and nothing is reported without a signal', async () => {
    const signal = new AbortController();
    const deadline = new ShutdownDeadline(signal.signal, 10_000, clock);
    advance(60_000);
    deadline.begin();
    const never = deadline.within(new Promise<never>(() => undefined), 'the consumer gave up');
    never.catch(() => undefined);
    advance(9_999);
    expect(deadline.expired.aborted).toBe(false);
    expect(deadline.leftMs()).toBe(1);
    advance(1);
    expect(deadline.expired.aborted).toBe(true);
    await expect(never).rejects.toMatchObject({ code: 'SHUTDOWN_DEADLINE_EXCEEDED', category: 'transient', message: 'the consumer gave up' });
    const { lines, log } = recording();
    deadline.report(log);
    expect(lines).toEqual([]);
    deadline.dispose();
  });

  it('a signal after begin() does not restart the countdown, but the report measures from the signal; begin() after a signal changes nothing', () => {
    const idle = new AbortController();
    const stopping = new ShutdownDeadline(idle.signal, 10_000, clock);
    stopping.begin();
    advance(4_000);
    idle.abort('SIGTERM');
    advance(5_999);
    expect(stopping.expired.aborted).toBe(false);
    advance(1);
    expect(stopping.expired.aborted).toBe(true);
    const { lines, log } = recording();
    stopping.report(log, { command: 'consume' });
    expect(lines).toEqual([{ msg: 'shutdown', fields: { command: 'consume', tookMs: 6_000, deadlineMs: 10_000, withinDeadline: true } }]);
    stopping.dispose();

    const signalled = new AbortController();
    const deadline = new ShutdownDeadline(signalled.signal, 10_000, clock);
    signalled.abort('SIGTERM');
    advance(3_000);
    deadline.begin();
    expect(deadline.leftMs()).toBe(6_000);
    deadline.dispose();
  });

  it('partWay(share) aborts once that share of what is left has passed, and goes with dispose()', () => {
    const signal = new AbortController();
    const deadline = new ShutdownDeadline(signal.signal, 10_000, clock);
    signal.abort('SIGTERM');
    advance(4_000); // 5 s left before giving up at 9 s
    const late = deadline.partWay(0.6);
    advance(2_999);
    expect(late.aborted).toBe(false);
    advance(1);
    expect(late.aborted).toBe(true);
    const unused = deadline.partWay(0.5);
    deadline.dispose();
    advance(60_000);
    expect(unused.aborted).toBe(false);
  });
});
