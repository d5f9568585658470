/**
 * Whether the consumer's path to Kafka works, read from kafkajs's own events (pure: the caller passes the times).
 *
 * Down from the first sign of trouble, up again once a fetch that began after it returned:
 * - trouble: a request got no answer within its timeout (a stalled or half-open connection), a connection
 *   failed (refused, reset, or closed by us because it stalled), or kafkajs restarted the consumer after a crash;
 * - recovery: a fetch round (kafkajs's FETCH_START … FETCH for one broker) that started after the link went down
 *   and completed: the broker answered over a connection opened since. A round that was already in flight when
 *   the trouble came does not count.
 *
 * It also knows when each broker last answered anything (kafkajs's REQUEST event), so that a timeout can say how
 * long that broker had been silent: the figure a stalled connection is judged by (`stalledMs`).
 */
export class KafkaLink {
  readonly #lastAnswer = new Map<string, number>();
  readonly #fetchStartedAt = new Map<number, number>();
  readonly #startedAt: number;
  #downSince: number | null = null;

  constructor(startedAt: number) {
    this.#startedAt = startedAt;
  }

  /** False from the first trouble until a fetch that began after it returned. */
  get up(): boolean {
    return this.#downSince === null;
  }

  /** When the link went down (null while up). */
  get downSince(): number | null {
    return this.#downSince;
  }

  /** A response from `broker` (any API, errors included: the path carries bytes). */
  answered(broker: string, at: number): void {
    this.#lastAnswer.set(broker, Math.max(at, this.#lastAnswer.get(broker) ?? at));
  }

  /** How long `broker` has said nothing (since this client started when it never answered). */
  silentFor(broker: string, at: number): number {
    return Math.max(0, at - (this.#lastAnswer.get(broker) ?? this.#startedAt));
  }

  /** A request to `broker` timed out: the link is down; how long the broker had been silent, and whether this took the link down. */
  timedOut(broker: string, at: number): { stalledMs: number; wentDown: boolean } {
    return { stalledMs: this.silentFor(broker, at), wentDown: this.failed(at) };
  }

  /** Any other trouble (a failed connection, a consumer restart); true when this took the link down. */
  failed(at: number): boolean {
    if (this.#downSince !== null) return false;
    this.#downSince = at;
    return true;
  }

  fetchStarted(nodeId: number, at: number): void {
    this.#fetchStartedAt.set(nodeId, at);
  }

  /** A fetch round from `nodeId` returned; when it brings the link back up, how long it was down (else null). */
  fetched(nodeId: number, at: number): number | null {
    const started = this.#fetchStartedAt.get(nodeId);
    this.#fetchStartedAt.delete(nodeId);
    if (this.#downSince === null || started === undefined || started < this.#downSince) return null;
    const downMs = at - this.#downSince;
    this.#downSince = null;
    return downMs;
  }
}
