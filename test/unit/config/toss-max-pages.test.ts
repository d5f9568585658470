import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { configProblems } from '../../support/config-problems.js';

describe('TOSS_MAX_PAGES', () => {
  it('is unset by default (the page limit is derived from TOSS_MAX_ROWS_PER_DAY) and reads a whole number', () => {
    expect(loadConfig({}).toss.maxPages).toBeNull();
    expect(loadConfig({ TOSS_MAX_PAGES: '150' }).toss.maxPages).toBe(150);
    expect(loadConfig({ TOSS_MAX_PAGES: '1000000' }).toss.maxPages).toBe(1_000_000);
    expect(loadConfig({ TOSS_MAX_PAGES: ' ' }).toss.maxPages).toBeNull();
  });

  it.each([
    ['0', 'TOSS_MAX_PAGES must be ≥ 1'],
    ['2.5', 'TOSS_MAX_PAGES must be a whole number'],
    ['lots', 'TOSS_MAX_PAGES must be a number'],
    ['1000001', 'TOSS_MAX_PAGES must be ≤ 1000000'],
  ])('refuses %j, naming the variable and what it expects', (value, problem) => {
    expect(configProblems({ TOSS_MAX_PAGES: value })).toContain(problem);
  });
});

describe('TOSS_MAX_ROWS_PER_DAY', () => {
  it('defaults to 1,000,000,000 rows a day (10× the design’s 100-million-row day) and reads a whole number', () => {
    expect(loadConfig({}).toss.maxRowsPerDay).toBe(1_000_000_000);
    expect(loadConfig({ TOSS_MAX_ROWS_PER_DAY: '250000000' }).toss.maxRowsPerDay).toBe(250_000_000);
    expect(loadConfig({ TOSS_MAX_ROWS_PER_DAY: '1000000000000' }).toss.maxRowsPerDay).toBe(1_000_000_000_000);
    // both may be set: the explicit page limit wins where the run applies them (see the guard tests)
    expect(loadConfig({ TOSS_MAX_PAGES: '40', TOSS_MAX_ROWS_PER_DAY: '5' }).toss).toMatchObject({ maxPages: 40, maxRowsPerDay: 5 });
  });

  it.each([
    ['0', 'TOSS_MAX_ROWS_PER_DAY must be ≥ 1'],
    ['1e8.5', 'TOSS_MAX_ROWS_PER_DAY must be a number'],
    ['100000000.5', 'TOSS_MAX_ROWS_PER_DAY must be a whole number'],
    ['many', 'TOSS_MAX_ROWS_PER_DAY must be a number'],
    ['1000000000001', 'TOSS_MAX_ROWS_PER_DAY must be ≤ 1000000000000'],
  ])('refuses %j, naming the variable and what it expects', (value, problem) => {
    expect(configProblems({ TOSS_MAX_ROWS_PER_DAY: value })).toContain(problem);
  });
});
