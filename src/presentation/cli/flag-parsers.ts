import { shard, SINGLE_WORKER, type Shard } from '../../domain/batch/shard.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import type { CodeOf } from '../../domain/shared/error-codes.js';
import { LocalDate } from '../../domain/calendar/local-date.js';

/** Flag parsers that name the flag and what was expected, for commander's argParser or manual use. */
export const usage = (code: CodeOf<'usage'>, message: string) => new SettleError(code, message);

export function intFlag(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw usage('INVALID_FLAG', `${flag} must be a whole number between ${min} and ${max}, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw usage('INVALID_FLAG', `${flag} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

export function dateFlag(flag: string): (value: string) => string {
  return (value) => LocalDate.parse(value, flag).toString();
}

/**
 * `--shards N [--shard I]`: this worker's part of a window. I falls back to JOB_COMPLETION_INDEX, which a
 * Kubernetes Indexed Job sets for each of its pods; without --shards the worker runs the whole window.
 */
export function shardFromFlags(opts: { shards?: number; shard?: number }, env: Readonly<Record<string, string | undefined>>): Shard {
  if (opts.shards === undefined) {
    if (opts.shard !== undefined) throw usage('INVALID_FLAG', '--shard needs --shards (how many workers share the window)');
    return SINGLE_WORKER;
  }
  let index = opts.shard;
  if (index === undefined) {
    const fromJob = env.JOB_COMPLETION_INDEX;
    if (fromJob === undefined || fromJob === '') {
      if (opts.shards === 1) return SINGLE_WORKER;
      throw usage(
        'INVALID_FLAG',
        `--shards ${opts.shards} needs this worker's index: --shard <0..${opts.shards - 1}> or JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job)`,
      );
    }
    if (!/^\d+$/.test(fromJob)) throw usage('INVALID_FLAG', `JOB_COMPLETION_INDEX must be a whole number, got "${fromJob}"`);
    index = Number(fromJob);
  }
  return shard(index, opts.shards);
}
