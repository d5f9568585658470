import { describe, expect, it } from 'vitest';
import { checkBatchStart, checkStoredOffset, storedOffsetBelowLogStart, storedOffsetBeyondLog } from '../../../src/domain/consumer/stored-offset.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';

describe('checkStoredOffset: where a partition resumes, from the stored offset and the log range', () => {
  it('resumes at the stored offset anywhere inside the log, its start and its end included', () => {
    expect(checkStoredOffset(120, { low: 100, high: 200 })).toEqual({ status: 'ok', seekTo: 120 });
    expect(checkStoredOffset(100, { low: 100, high: 200 })).toEqual({ status: 'ok', seekTo: 100 }); // equal to the log start
    expect(checkStoredOffset(200, { low: 100, high: 200 })).toEqual({ status: 'ok', seekTo: 200 }); // fully loaded
  });

  it('an empty partition, whether it never held a record or retention emptied it after everything was loaded', () => {
    expect(checkStoredOffset(0, { low: 0, high: 0 })).toEqual({ status: 'ok', seekTo: 0 });
    expect(checkStoredOffset(500, { low: 500, high: 500 })).toEqual({ status: 'ok', seekTo: 500 });
  });

  it('starts at the log start when nothing of the partition was ever stored', () => {
    expect(checkStoredOffset(undefined, { low: 40, high: 90 })).toEqual({ status: 'ok', seekTo: 40 });
  });

  it('a stored offset below the log start: the records in between were deleted before they were loaded', () => {
    expect(checkStoredOffset(120, { low: 300, high: 400 })).toEqual({ status: 'below-start', stored: 120, logStart: 300, lost: 180 });
    expect(checkStoredOffset(99, { low: 100, high: 100 })).toEqual({ status: 'below-start', stored: 99, logStart: 100, lost: 1 }); // emptied by retention
  });

  it('a stored offset past the end of the log', () => {
    expect(checkStoredOffset(201, { low: 100, high: 200 })).toEqual({ status: 'beyond-end', stored: 201, end: 200 });
  });
});

describe('checkBatchStart: a fetched batch that does not start at the stored offset', () => {
  it('delivers a batch that starts at or before the stored offset (older records are dropped later)', () => {
    expect(checkBatchStart({ stored: 50, first: 50, logStart: null, soughtBack: false })).toEqual({ action: 'deliver' });
    expect(checkBatchStart({ stored: 50, first: 10, logStart: 0, soughtBack: false })).toEqual({ action: 'deliver' });
  });

  it('records deleted under a running consumer: the log start moved past the stored offset', () => {
    expect(checkBatchStart({ stored: 50, first: 80, logStart: 80, soughtBack: false })).toEqual({ action: 'lost', logStart: 80, lost: 30 });
    expect(checkBatchStart({ stored: 50, first: 80, logStart: 70, soughtBack: true })).toEqual({ action: 'lost', logStart: 70, lost: 20 });
  });

  it('a fetch that raced the seek goes back to the stored offset once', () => {
    expect(checkBatchStart({ stored: 50, first: 80, logStart: 0, soughtBack: false })).toEqual({ action: 'seek-back' });
  });

  it('a gap inside the log (transaction markers, compacted records) is not a loss: delivered after the one seek back', () => {
    expect(checkBatchStart({ stored: 50, first: 52, logStart: 50, soughtBack: true })).toEqual({ action: 'deliver' });
    expect(checkBatchStart({ stored: 50, first: 52, logStart: 0, soughtBack: true })).toEqual({ action: 'deliver' });
  });

  it('never delivers past the stored offset while the log start is unknown', () => {
    expect(checkBatchStart({ stored: 50, first: 52, logStart: null, soughtBack: true })).toEqual({ action: 'seek-back' });
  });
});

describe('the errors', () => {
  it('STORED_OFFSET_BELOW_LOG_START: a data error naming every partition, the records lost and the fix', () => {
    const error = storedOffsetBelowLogStart({
      topic: 'settlements',
      group: 'loader',
      ranges: [
        { partition: 1, stored: 120, logStart: 300, lost: 180 },
        { partition: 4, stored: 7, logStart: 9, lost: 2 },
      ],
    });
    expect(error).toBeInstanceOf(SettleError);
    expect(error).toMatchObject({ code: 'STORED_OFFSET_BELOW_LOG_START', category: 'data', retriable: false });
    expect(error.details).toMatchObject({
      topic: 'settlements',
      group: 'loader',
      recordsLost: 182,
      partitions: [{ partition: 1, stored: 120, logStart: 300, lost: 180 }, { partition: 4 }],
    });
    expect(error.message).toContain('182 record(s) were deleted from Kafka (retention) before group loader loaded them');
    expect(error.message).toContain('settlements[1] stored offset 120, log start 300: 180 record(s) lost');
    expect(error.message).toContain('settlements[4] stored offset 7, log start 9: 2 record(s) lost');
    expect(error.message).toContain('`settle replay --from <YYYY-MM-DD> --to <YYYY-MM-DD> --yes`');
    expect(error.message).toContain('`settle replay --kafka --since 1970-01-01T00:00:00Z --group loader --yes`');
  });

  it('STORED_OFFSET_BEYOND_LOG keeps its message', () => {
    const error = storedOffsetBeyondLog({ topic: 't', group: 'g', partition: 2, stored: 10_005, end: 5 });
    expect(error).toMatchObject({ code: 'STORED_OFFSET_BEYOND_LOG', category: 'data' });
    expect(error.message).toBe(
      'stored offset 10005 of t[2] for group g is past the end of the log (5): the topic was recreated or truncated, or MySQL belongs to another Kafka cluster; nothing was loaded. Reset with `settle replay --kafka --since <instant> --group g`',
    );
  });
});
