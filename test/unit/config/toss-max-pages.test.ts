import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { configProblems } from '../../support/config-problems.js';


describe('TOSS_MAX_PAGES', () => {
  it('defaults to 2000 pages and reads a whole number', () => {
    expect(loadConfig({}).toss.maxPages).toBe(2_000);
    expect(loadConfig({ TOSS_MAX_PAGES: '150' }).toss.maxPages).toBe(150);
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
