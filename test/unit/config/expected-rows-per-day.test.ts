import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { configProblems } from '../../support/config-problems.js';

describe('EXPECTED_ROWS_PER_DAY', () => {
  it('is optional (no buffer pool check) and reads a whole number', () => {
    expect(loadConfig({}).capacity.expectedRowsPerDay).toBeNull();
    expect(loadConfig({ EXPECTED_ROWS_PER_DAY: '' }).capacity.expectedRowsPerDay).toBeNull();
    expect(loadConfig({ EXPECTED_ROWS_PER_DAY: '100000000' }).capacity.expectedRowsPerDay).toBe(100_000_000);
  });

  it.each([
    ['0', 'EXPECTED_ROWS_PER_DAY must be ≥ 1'],
    ['-5', 'EXPECTED_ROWS_PER_DAY must be ≥ 1'],
    ['2.5', 'EXPECTED_ROWS_PER_DAY must be a whole number'],
    ['lots', 'EXPECTED_ROWS_PER_DAY must be a number'],
    ['1000000000001', 'EXPECTED_ROWS_PER_DAY must be ≤ 1000000000000'],
  ])('refuses %j, naming the variable and what it expects', (value, problem) => {
    expect(configProblems({ EXPECTED_ROWS_PER_DAY: value })).toContain(problem);
  });
});
