/**
 * src/composition/ is the composition root: the one place that builds adapters, pools and SDK clients and wires
 * them into use cases (one file per use-case family). Presentation parses flags, asks it for a use case (or an
 * admin adapter: migrations, partitions, job executions, topics, the DLQ) and prints; it constructs nothing itself
 * and holds no SQL, which the dependency-cruiser rule `presentation-not-to-adapters` keeps so. Commands import their
 * composition module on use (`await import(...)`). Each builder returns what was asked for plus a `close` that
 * releases what it opened.
 */
export interface Wired<T> {
  readonly value: T;
  close(): Promise<void>;
}
