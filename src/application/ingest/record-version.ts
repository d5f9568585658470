/**
 * The "newer record wins" rule. A stored row remembers the Kafka record it came from; an incoming record
 * replaces the row only if its (timestamp, offset) is strictly greater, compared in that order.
 *
 * - Redelivery and replays of old offsets (a consumer seeking back, a rebalance, a restart) carry the same or
 *   older versions: they change nothing, so an old record can never overwrite a newer one.
 * - A producer replay appends NEW records (new offsets, later timestamps): they win, so a replayed window
 *   refreshes rows Toss changed since (e.g. acquireStatus).
 * - Timestamp first, not offset: offsets are only comparable within one partition, and a key moves to another
 *   partition when the partition count changes (or a topic is recreated and offsets restart at 0).
 * - Offset breaks ties between records of the same millisecond; an exact tie (the same record) is not newer.
 * - `settle dlq redrive` keeps the dead letter's original timestamp, so a redriven old record cannot
 *   overwrite a newer version of the row that arrived meanwhile.
 * The timestamps are the producer's CreateTime: producer clocks are assumed to be within minutes, while
 * replays happen hours or days later.
 */
export interface RecordVersion {
  readonly timestamp: number;
  readonly offset: number;
}

export const isNewerRecord = (incoming: RecordVersion, stored: RecordVersion): boolean =>
  incoming.timestamp > stored.timestamp || (incoming.timestamp === stored.timestamp && incoming.offset > stored.offset);
