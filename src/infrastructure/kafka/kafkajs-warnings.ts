import { createRequire } from 'node:module';

type Level = 'error' | 'warn' | 'info' | 'debug';
/** What the adapter hands on to our logger: a level, the entry's fields, the message. */
export type KafkajsLog = (level: Level, fields: Record<string, unknown>, message: string) => void;

interface ProtocolError {
  readonly type: string;
  readonly message: string;
  readonly retriable: boolean;
}
// kafkajs's table of Kafka protocol errors (its public API has none): which ones it retries
const protocolErrors = (createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: ProtocolError[] }).errorCodes;
const RETRIABLE_PROTOCOL = new Map(protocolErrors.filter((e) => e.retriable).map((e) => [e.message, e.type]));
/** Network conditions kafkajs retries (connection.js, brokerPool.js): it reconnects and sends again. */
const RETRIABLE_NETWORK =
  /^(Connection error|Connection timeout|Closed connection|Failed to connect to broker, reconnecting|Request .* timed out|Not connected)/;
/** kafkajs's own "I stopped retrying". */
const GAVE_UP = /KafkaJSNumberOfRetriesExceeded|^Crash: /;

/** Repeats of one retriable condition before it is a warning (sooner if it lasts WARN_AFTER_MS). */
const WARN_AFTER = 3;
const WARN_AFTER_MS = 5_000;
/** No repeat for this long: kafkajs's retry went through. */
const QUIET_MS = 3_000;

/** A scheduled callback: a Node timer (unref'd), or a test's stand-in. */
type Timer = object;

interface Episode {
  readonly condition: string;
  readonly firstAt: number;
  lastAt: number;
  count: number;
  warned: boolean;
  timer: Timer | null;
}

/**
 * kafkajs logs at ERROR conditions it is about to retry (a group coordinator not yet available while a consumer
 * joins, a broker reconnecting, a leader moving): a run that then succeeds printed errors. The rule, per kafkajs
 * client:
 * - an ERROR or WARN entry whose error is one kafkajs retries (a Kafka protocol error kafkajs marks retriable,
 *   matched by its message, or a connection failure it reconnects from) is a retriable condition: logged at debug;
 *   once it has repeated WARN_AFTER times or lasted WARN_AFTER_MS, one warn says so, with the count;
 * - when it has not come back for QUIET_MS, one line sums it up: warn "… recovered" if a warn was shown, else debug;
 * - when kafkajs gives up (KafkaJSNumberOfRetriesExceeded, a consumer "Crash: …") while a condition is open, one error
 *   line says it gave up on it after N retries; the entry itself keeps its level (a crash is an error);
 * - everything else passes at kafkajs's level.
 */
export class KafkajsRetryLog {
  readonly #log: KafkajsLog;
  readonly #now: () => number;
  readonly #schedule: (fn: () => void, ms: number) => Timer;
  readonly #cancel: (timer: Timer) => void;
  readonly #open = new Map<string, Episode>();

  constructor(log: KafkajsLog, clock: { now?: () => number; schedule?: (fn: () => void, ms: number) => Timer; cancel?: (timer: Timer) => void } = {}) {
    this.#log = log;
    this.#now = clock.now ?? Date.now;
    this.#schedule = clock.schedule ?? ((fn, ms) => setTimeout(fn, ms));
    this.#cancel = clock.cancel ?? ((t) => clearTimeout(t as NodeJS.Timeout));
  }

  entry(level: Level, message: string, fields: Record<string, unknown>): void {
    const condition = level === 'error' || level === 'warn' ? retriableCondition(message, fields) : null;
    if (condition) return this.#retriable(condition, message, fields);
    if (level === 'error' && GAVE_UP.test(`${message} ${typeof fields.error === 'string' ? fields.error : ''}`)) this.#gaveUp();
    this.#log(level, fields, message);
  }

  #retriable(condition: string, message: string, fields: Record<string, unknown>): void {
    const now = this.#now();
    let episode = this.#open.get(condition);
    if (!episode) {
      episode = { condition, firstAt: now, lastAt: now, count: 0, warned: false, timer: null };
      this.#open.set(condition, episode);
    }
    episode.count += 1;
    episode.lastAt = now;
    this.#log('debug', { ...fields, retriable: true, occurrence: episode.count }, message);
    if (!episode.warned && (episode.count >= WARN_AFTER || now - episode.firstAt >= WARN_AFTER_MS)) {
      episode.warned = true;
      this.#log(
        'warn',
        { condition, retries: episode.count, forMs: now - episode.firstAt, ...pick(fields, ['broker', 'groupId']) },
        `Kafka: ${condition}: kafkajs is retrying (${episode.count} times so far)`,
      );
    }
    if (episode.timer) this.#cancel(episode.timer);
    const open = episode;
    episode.timer = this.#schedule(() => this.#recovered(open), QUIET_MS);
    (episode.timer as { unref?: () => unknown }).unref?.();
  }

  #recovered(episode: Episode): void {
    if (this.#open.get(episode.condition) !== episode) return;
    this.#open.delete(episode.condition);
    const fields = { condition: episode.condition, retries: episode.count, forMs: episode.lastAt - episode.firstAt };
    this.#log(
      episode.warned ? 'warn' : 'debug',
      fields,
      `Kafka: ${episode.condition}: recovered after ${episode.count} ${episode.count === 1 ? 'retry' : 'retries'}`,
    );
  }

  #gaveUp(): void {
    for (const episode of this.#open.values()) {
      if (episode.timer) this.#cancel(episode.timer);
      this.#log(
        'error',
        { condition: episode.condition, retries: episode.count, forMs: this.#now() - episode.firstAt },
        `Kafka: ${episode.condition}: kafkajs gave up after ${episode.count} ${episode.count === 1 ? 'retry' : 'retries'}`,
      );
    }
    this.#open.clear();
  }
}

/** The retriable condition an entry reports (its error's text), or null. */
export function retriableCondition(message: string, fields: Record<string, unknown>): string | null {
  if (GAVE_UP.test(message)) return null;
  const error = typeof fields.error === 'string' ? fields.error : null;
  for (const text of [error, message]) {
    if (!text) continue;
    if (RETRIABLE_PROTOCOL.has(text)) return text;
    const network = RETRIABLE_NETWORK.exec(text);
    if (network?.[1]) return network[1];
  }
  if (fields.retriable === true && (error ?? message)) return error ?? message;
  return null;
}

const pick = (o: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
