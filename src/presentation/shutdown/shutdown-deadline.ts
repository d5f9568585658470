import { SettleError } from '../../domain/shared/settle-error.js';
import type { Logger } from '../../infrastructure/logging/logger.js';

/**
 * SHUTDOWN_TIMEOUT_MS, counted from the signal (SIGTERM/SIGINT) whatever the command is doing then (a send
 * kafkajs is retrying against a dead broker, a reconnect, a query). The command is over before the deadline, its
 * stop recorded and its exit code known:
 *
 *   signal ──────── drain ─────── give up ── deadline
 *            wait for Kafka's acks     record the stop, close    exit
 *
 * - `drain` aborts first (the deadline less 2 reserves): a producer stops waiting for the acknowledgements of the
 *   pages in flight; what is not acknowledged then is never checkpointed (RunSettlementJob's drainDeadline).
 * - `within(work)` gives up at the deadline less a reserve for the exit itself: SHUTDOWN_DEADLINE_EXCEEDED (exit 4)
 *   however far `work` got; nothing it still waits on keeps the process (main exits once the command returns).
 * - `report(log)` writes one line, msg "shutdown", with the process's own measure, `tookMs` from the signal, next to
 *   `deadlineMs`: what operators and the tests compare (a clock outside the process also counts its start and load).
 * - `begin()`: a command that stops on its own (consume: idle, a fatal error) starts the countdown itself, with the
 *   whole deadline; `partWay(share)` marks a stage of a command's own stop (consume rolls back the batches in flight).
 */
export class ShutdownDeadline {
  readonly #drain = new AbortController();
  readonly #expired = new AbortController();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #now: () => number;
  #signalledAt: number | null = null;
  /** When the command gives up (on the `now` clock), once the countdown started: at the signal, or at begin(). */
  #giveUpAt: number | null = null;
  #onSignal = () => this.#signalled();

  constructor(
    private readonly signal: AbortSignal,
    readonly deadlineMs: number,
    now: () => number = () => performance.now(),
  ) {
    this.#now = now;
    if (signal.aborted) this.#signalled();
    else signal.addEventListener('abort', this.#onSignal, { once: true });
  }

  /** Aborted when the work in flight (Kafka's acknowledgements) may no longer be waited for. */
  get drain(): AbortSignal {
    return this.#drain.signal;
  }

  /** Aborted when the command must give up, whatever it still waits on. */
  get expired(): AbortSignal {
    return this.#expired.signal;
  }

  get signalled(): boolean {
    return this.#signalledAt !== null;
  }

  /** Milliseconds until the command must give up: the whole deadline while the countdown has not started. */
  leftMs(): number {
    if (this.#giveUpAt === null) return this.deadlineMs;
    return Math.max(0, this.#giveUpAt - this.#now());
  }

  /**
   * The command stops on its own (idle, a fatal error) and no signal came: the countdown starts now, with the whole
   * deadline (no exit reserve: no grace period runs out behind it). Nothing once the countdown started; a signal
   * after this does not restart it, but report() measures from that signal.
   */
  begin(): void {
    if (this.#giveUpAt === null) this.#countdown(this.deadlineMs, this.deadlineMs);
  }

  /** Aborted once `share` (0 to 1) of what is left now has passed: a stage of the command's own stop before it gives up. */
  partWay(share: number): AbortSignal {
    const stage = new AbortController();
    this.#timers.push(setTimeout(() => stage.abort(), this.leftMs() * share));
    return stage.signal;
  }

  /** Milliseconds since the signal; null while none came. */
  tookMs(): number | null {
    return this.#signalledAt === null ? null : Math.round(this.#now() - this.#signalledAt);
  }

  /**
   * `work`, or SHUTDOWN_DEADLINE_EXCEEDED once the command must give up (`work` goes on, unobserved); `message` says
   * what giving up leaves behind.
   */
  within<T>(
    work: Promise<T>,
    message = `the stop did not finish within SHUTDOWN_TIMEOUT_MS (${this.deadlineMs} ms); what was checkpointed stays, a rerun resumes after it`,
  ): Promise<T> {
    const expired = this.#expired.signal;
    return new Promise<T>((resolve, reject) => {
      const onExpired = () => reject(new SettleError('SHUTDOWN_DEADLINE_EXCEEDED', message));
      if (expired.aborted) return onExpired();
      expired.addEventListener('abort', onExpired, { once: true });
      work.then(resolve, reject).finally(() => expired.removeEventListener('abort', onExpired));
    });
  }

  /** After a signal: one line, msg "shutdown", with tookMs (from the signal) and deadlineMs. Nothing without one. */
  report(log: Logger, fields: Readonly<Record<string, unknown>> = {}): void {
    const tookMs = this.tookMs();
    if (tookMs === null) return;
    log.info({ ...fields, tookMs, deadlineMs: this.deadlineMs, withinDeadline: tookMs <= this.deadlineMs }, 'shutdown');
  }

  /** Clears the timers and stops listening for the signal. */
  dispose(): void {
    this.signal.removeEventListener('abort', this.#onSignal);
    for (const t of this.#timers.splice(0)) clearTimeout(t);
  }

  #signalled(): void {
    if (this.#signalledAt !== null) return;
    this.#signalledAt = this.#now();
    if (this.#giveUpAt === null) this.#countdown(drainAfterMs(this.deadlineMs), giveUpAfterMs(this.deadlineMs));
  }

  /** From now: the wait for acknowledgements ends after `drainMs`, the command gives up after `giveUpMs`. */
  #countdown(drainMs: number, giveUpMs: number): void {
    this.#giveUpAt = this.#now() + giveUpMs;
    this.#timers.push(
      setTimeout(() => this.#drain.abort(), drainMs),
      setTimeout(() => {
        this.#drain.abort();
        this.#expired.abort();
      }, giveUpMs),
    );
  }
}

/** Kept for the exit itself (flushing the log, closing what is left): 10 % of the deadline, at most 1 s. */
const exitReserveMs = (deadlineMs: number): number => Math.min(1_000, deadlineMs / 10);
/** Kept for recording the stop (the execution's status, releasing its claim): 10 %, at most 5 s. */
const recordReserveMs = (deadlineMs: number): number => Math.min(5_000, deadlineMs / 10);

/** From the signal to giving up: 9 s of a 10 s deadline, 29 s of 30 s. */
export const giveUpAfterMs = (deadlineMs: number): number => Math.round(deadlineMs - exitReserveMs(deadlineMs));
/** From the signal to the end of the wait for acknowledgements: 8 s of a 10 s deadline, 26 s of 30 s. */
export const drainAfterMs = (deadlineMs: number): number => Math.round(deadlineMs - exitReserveMs(deadlineMs) - recordReserveMs(deadlineMs));

/** What SIGTERM/SIGINT do to `produce` and `replay` (docs/architecture.md, "Stopped by a signal"). */
export const SIGNAL_HELP =
  'SIGTERM/SIGINT: no further page is fetched; the pages in flight are checkpointed as Kafka acknowledges them, until\n' +
  'SHUTDOWN_TIMEOUT_MS (default 30 s) from the signal runs out. Exit 4: the execution is STOPPED after its last\n' +
  'acknowledged page and a rerun resumes after it (SHUTDOWN_DEADLINE_EXCEEDED: pages Kafka did not acknowledge in\n' +
  'time were given up, never checkpointed).';
