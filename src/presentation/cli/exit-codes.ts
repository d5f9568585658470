import { isSettleError, type ErrorCategory } from '../../domain/shared/settle-error.js';

/** The one exit-code table every command uses; cron and Kubernetes read these. Keep the README and --help in step. */
export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  DATA: 3,
  TRANSIENT: 4,
  ALREADY_RUNNING: 5,
  ALREADY_COMPLETED: 6,
  RULE: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const byCategory: Record<ErrorCategory, ExitCode> = {
  usage: ExitCode.USAGE,
  data: ExitCode.DATA,
  transient: ExitCode.TRANSIENT,
  'already-running': ExitCode.ALREADY_RUNNING,
  'already-completed': ExitCode.ALREADY_COMPLETED,
  rule: ExitCode.RULE,
  internal: ExitCode.INTERNAL,
};

export const exitCodeFor = (category: ErrorCategory): ExitCode => byCategory[category];

/** The exit code a thrown error ends a command with: its category's, or INTERNAL for anything not ours. */
export const exitCodeOf = (error: unknown): ExitCode => (isSettleError(error) ? exitCodeFor(error.category) : ExitCode.INTERNAL);

export const EXIT_CODE_HELP = `Exit codes:
  0  success (also: nothing to do, e.g. produce on a non-business day)
  1  internal error (a bug: report it)
  2  usage or configuration error (bad flag, argument or environment variable)
  3  data problem (rows rejected, reconcile mismatch, invalid input file)
  4  transient infrastructure failure (Toss, Kafka, registry or MySQL unavailable), or stopped by SIGTERM/SIGINT
     before the end (produce, replay; any command past SHUTDOWN_TIMEOUT_MS): safe to retry, a rerun resumes
  5  already running (another execution of the same window holds it)
  6  already completed (the window was fully published; use \`settle replay\`)
  7  business rule refused the operation (orders and payments)`;
