/**
 * src/composition/ is the composition root: the one place that picks concrete adapters and wires them into
 * use cases (one file per use-case family). Presentation asks it for use cases; nothing else constructs
 * adapters for them. Each builder returns the use case plus a `close` that releases what it opened.
 */
export interface Wired<T> {
  readonly value: T;
  close(): Promise<void>;
}
