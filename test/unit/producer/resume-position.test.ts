import { describe, expect, it } from 'vitest';
import { resumePosition } from '../../../src/domain/batch/resume-position.js';
import type { SettleError } from '../../../src/domain/shared/settle-error.js';

const W = '2025-02-03..2025-02-07 (soldDate)';
const refusal = (fn: () => unknown): SettleError => {
  try {
    fn();
  } catch (error) {
    return error as SettleError;
  }
  throw new Error('expected a refusal');
};

describe('resumePosition', () => {
  it('starts at page 1 with no predecessor, or one that checkpointed nothing (its size does not matter)', () => {
    expect(resumePosition(null, 500, W)).toEqual({ afterPage: 0, convertedFrom: null });
    expect(resumePosition({ executionId: 4, lastPage: 0, pageSize: 100 }, 500, W)).toEqual({ afterPage: 0, convertedFrom: null });
    expect(resumePosition({ executionId: 4, lastPage: 0, pageSize: null }, 500, W)).toEqual({ afterPage: 0, convertedFrom: null });
  });

  it('continues after the stored page with the stored size', () => {
    expect(resumePosition({ executionId: 4, lastPage: 7, pageSize: 500 }, 500, W)).toEqual({ afterPage: 7, convertedFrom: null });
  });

  it('converts the position when the rows done are whole pages of the new size, bigger or smaller', () => {
    expect(resumePosition({ executionId: 4, lastPage: 10, pageSize: 1000 }, 5000, W)).toEqual({
      afterPage: 2,
      convertedFrom: { lastPage: 10, pageSize: 1000 },
    });
    expect(resumePosition({ executionId: 4, lastPage: 3, pageSize: 5000 }, 1000, W)).toEqual({ afterPage: 15, convertedFrom: { lastPage: 3, pageSize: 5000 } });
  });

  it('refuses (exit 2) a size the rows done are not whole pages of, naming the flag, both sizes and the ways out', () => {
    const error = refusal(() => resumePosition({ executionId: 4, lastPage: 3, pageSize: 1000 }, 5000, W));
    expect(error).toMatchObject({
      code: 'JOB_PAGE_SIZE_MISMATCH',
      category: 'usage',
      details: { executionId: 4, lastPage: 3, storedPageSize: 1000, pageSize: 5000 },
    });
    for (const part of [
      W,
      'page 3 of 1000 rows',
      '3000 rows done',
      '--page-size 5000',
      'TOSS_PAGE_SIZE',
      'Rerun with --page-size 1000',
      'settle jobs abandon 4',
    ])
      expect(error.message).toContain(part);
  });

  it('refuses (exit 2) to guess the size of a position recorded before sizes were stored', () => {
    const error = refusal(() => resumePosition({ executionId: 9, lastPage: 2, pageSize: null }, 5000, W));
    expect(error).toMatchObject({
      code: 'JOB_PAGE_SIZE_UNKNOWN',
      category: 'usage',
      details: { executionId: 9, lastPage: 2, storedPageSize: null, pageSize: 5000 },
    });
    for (const part of ['--page-size 5000', 'settle jobs abandon 9', 'page 2']) expect(error.message).toContain(part);
  });
});
