import { redactUrl } from '../config/secret.js';

/**
 * One finding of `settle doctor`. `transient` marks a reachability problem (the service did not answer: safe to
 * retry later) as opposed to a setup problem an operator must fix; the exit code depends on which failed.
 * `warning` marks a check that passed (`ok`) but needs attention soon: shown with its fix, never in the exit code.
 */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Passed, with something to act on before it becomes a problem (set only with ok: true). */
  readonly warning?: boolean;
  /** Not run because its configuration is missing or invalid (already reported by the configuration check). */
  readonly skipped?: boolean;
  readonly transient?: boolean;
  readonly detail: string;
  /** What to do about it; empty when ok without a warning. */
  readonly fix: string;
}

export const passed = (name: string, detail: string): CheckResult => ({ name, ok: true, detail, fix: '' });

/** A pass that still asks for action (e.g. the holiday data's horizon is near): the exit code stays 0. */
export const warned = (name: string, detail: string, fix: string): CheckResult => ({ name, ok: true, warning: true, detail, fix });

export const failed = (name: string, detail: string, fix: string, transient = false): CheckResult => ({ name, ok: false, transient, detail, fix });

export const skipped = (name: string, detail: string): CheckResult => ({ name, ok: false, skipped: true, detail, fix: 'fix the configuration first' });

/** Runs a check, turning a hang into a transient failure after `ms` and a throw into a failure. */
export async function withDeadline(name: string, ms: number, check: () => Promise<CheckResult>, fix: string): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve(failed(name, `no answer within ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`}`, fix, true)), ms);
  });
  try {
    return await Promise.race([check().catch((error: unknown) => failed(name, `check failed: ${(error as Error).message ?? String(error)}`, fix)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A URL fit to print: password masked, no trailing slash. */
export const displayUrl = (url: string): string => redactUrl(url).replace(/\/$/, '');
