import { SettleError } from '../shared/settle-error.js';

/** What a partition's log holds right now: its low and high watermarks. */
export interface LogRange {
  /** The log start offset: the first offset still in the log (retention and deleteRecords move it up). */
  readonly low: number;
  /** The end of the log: the offset the next record will get. */
  readonly high: number;
}

/** Records a stored offset points at that the log no longer holds. */
export interface LostRange {
  readonly partition: number;
  readonly stored: number;
  readonly logStart: number;
  /** logStart − stored: offsets deleted before this group loaded them (every one a record: the topic is neither compacted nor transactional). */
  readonly lost: number;
}

export type StoredOffsetCheck =
  | { readonly status: 'ok'; readonly seekTo: number }
  | { readonly status: 'beyond-end'; readonly stored: number; readonly end: number }
  | { readonly status: 'below-start'; readonly stored: number; readonly logStart: number; readonly lost: number };

/**
 * Where a partition's loading resumes, from the offset stored in MySQL (the next one to load; undefined: nothing of
 * the partition was ever stored) and the log's current range. A stored offset equal to the log start or to the end
 * (an empty or fully loaded partition) is fine. Below the log start, the records between the two were deleted
 * before they were loaded; past the end, the offsets belong to another life of the topic. Both are refused: Kafka
 * would quietly move to a reset position and those records would never reach MySQL.
 */
export function checkStoredOffset(stored: number | undefined, log: LogRange): StoredOffsetCheck {
  if (stored === undefined) return { status: 'ok', seekTo: log.low }; // nothing stored: the log's beginning
  if (stored > log.high) return { status: 'beyond-end', stored, end: log.high };
  if (stored < log.low) return { status: 'below-start', stored, logStart: log.low, lost: log.low - stored };
  return { status: 'ok', seekTo: stored };
}

export type BatchStartCheck =
  { readonly action: 'deliver' } | { readonly action: 'seek-back' } | { readonly action: 'lost'; readonly logStart: number; readonly lost: number };

/**
 * A fetched batch that starts past the stored offset. Three causes, told apart by the log start (null: it could not
 * be read): records deleted while the partition was behind (the log start is past the stored offset: lost, never
 * skipped); a fetch from a position that is not ours (it raced the seek after a join: go back, once per
 * assignment, and while the log start is unknown); or a gap inside the log (offsets without a record: transaction
 * markers, compacted records), which holds nothing to load.
 */
export function checkBatchStart(o: {
  readonly stored: number;
  readonly first: number;
  readonly logStart: number | null;
  readonly soughtBack: boolean;
}): BatchStartCheck {
  if (o.first <= o.stored) return { action: 'deliver' };
  if (o.logStart !== null && o.logStart > o.stored) return { action: 'lost', logStart: o.logStart, lost: o.logStart - o.stored };
  if (o.logStart === null || !o.soughtBack) return { action: 'seek-back' };
  return { action: 'deliver' };
}

/** The stored offsets were past the end of the log: the topic was recreated or truncated, or MySQL belongs to another cluster. */
export function storedOffsetBeyondLog(o: {
  readonly topic: string;
  readonly group: string;
  readonly partition: number;
  readonly stored: number;
  readonly end: number;
}): SettleError {
  return new SettleError(
    'STORED_OFFSET_BEYOND_LOG',
    `stored offset ${o.stored} of ${o.topic}[${o.partition}] for group ${o.group} is past the end of the log (${o.end}): the topic was recreated or truncated, or MySQL belongs to another Kafka cluster; nothing was loaded. Reset with \`settle replay --kafka --since <instant> --group ${o.group}\``,
    { details: { topic: o.topic, group: o.group, partition: o.partition, storedOffset: o.stored, logEndOffset: o.end } },
  );
}

/**
 * Kafka deleted records (retention.ms / retention.bytes, or deleteRecords) before this group loaded them: they are
 * not in MySQL and no stored offset can bring them back. The message names every partition and the way out.
 */
export function storedOffsetBelowLogStart(o: { readonly topic: string; readonly group: string; readonly ranges: readonly LostRange[] }): SettleError {
  const total = o.ranges.reduce((n, r) => n + r.lost, 0);
  const where = o.ranges.map((r) => `${o.topic}[${r.partition}] stored offset ${r.stored}, log start ${r.logStart}: ${r.lost} record(s) lost`).join('; ');
  return new SettleError(
    'STORED_OFFSET_BELOW_LOG_START',
    `${total} record(s) were deleted from Kafka (retention) before group ${o.group} loaded them, so they are not in MySQL: ${where}. ` +
      'Nothing was skipped: the consumer refuses to go on until the stored offsets are reset. Fix, with every consumer of the group stopped: ' +
      '1) publish the lost settlements again from Toss: `settle replay --from <YYYY-MM-DD> --to <YYYY-MM-DD> --yes` for the sold dates published while the loader was behind (`settle jobs list` shows the windows and when they ran; replaying more dates is harmless); ' +
      `2) reset the stored offsets to the log start: \`settle replay --kafka --since 1970-01-01T00:00:00Z --group ${o.group} --yes\` (every partition of the group goes back to its log start; rows already stored reload as unchanged); ` +
      "3) start `settle consume`. Keep the topic's retention.ms well above the loader's worst lag.",
    { details: { topic: o.topic, group: o.group, recordsLost: total, partitions: o.ranges.map((r) => ({ ...r })) } },
  );
}
