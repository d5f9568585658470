import { expect } from 'vitest';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { SettleError } from '../../src/domain/shared/settle-error.js';

/** The problems loadConfig reports for `env` (it must refuse it, as a usage error listing every problem). */
export function configProblems(env: Record<string, string>, needs: Parameters<typeof loadConfig>[1] = []): string[] {
  try {
    loadConfig(env, needs);
  } catch (error) {
    expect(error).toBeInstanceOf(SettleError);
    expect((error as SettleError).category).toBe('usage');
    return (error as SettleError).details.problems as string[];
  }
  throw new Error('expected loadConfig to throw');
}
