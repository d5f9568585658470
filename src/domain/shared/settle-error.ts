/**
 * One error tree for the whole product. `code` is stable (callers and tests branch on it, never on the
 * message); `category` decides the process exit code; `retriable` tells retriers whether trying again can help.
 */
export type ErrorCategory =
  | 'usage' // bad flag, argument or configuration
  | 'data' // rejected rows, reconcile mismatch, invalid input file
  | 'transient' // infrastructure down or overloaded: safe to retry
  | 'already-running'
  | 'already-completed'
  | 'rule' // a business rule refused the operation
  | 'internal';

export interface SettleErrorOptions {
  readonly category?: ErrorCategory;
  readonly retriable?: boolean;
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, unknown>>;
}

export class SettleError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: SettleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = options.category ?? 'internal';
    this.retriable = options.retriable ?? options.category === 'transient';
    this.details = options.details ?? {};
  }
}

/** A business rule said no; the message names the fact (e.g. "item 3 is purchase-confirmed"). */
export class RuleViolation extends SettleError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { category: 'rule', retriable: false, ...(details ? { details } : {}) });
  }
}

export const isSettleError = (error: unknown): error is SettleError => error instanceof SettleError;
