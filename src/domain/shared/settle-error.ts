import { type CodeOf, type ErrorCategory, type ErrorCode, errorCodeEntry, isRetriableCode } from './error-codes.js';

export type { ErrorCategory, ErrorCode } from './error-codes.js';

/**
 * One error tree for the whole product. `code` is stable (callers and tests branch on it, never on the message)
 * and is one of the table in error-codes.ts, which gives it its `category` (the process exit code) and whether it
 * is `retriable` (whether trying again can help): a throw site names the code, never the category.
 */
export interface SettleErrorOptions {
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, unknown>>;
}

export class SettleError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: SettleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = errorCodeEntry(code).category;
    this.retriable = isRetriableCode(code);
    this.details = options.details ?? {};
  }
}

/** A business rule said no; the message names the fact (e.g. "item 3 is purchase-confirmed"). */
export class RuleViolation extends SettleError {
  constructor(code: CodeOf<'rule'>, message: string, details?: Record<string, unknown>) {
    super(code, message, details ? { details } : {});
  }
}

export const isSettleError = (error: unknown): error is SettleError => error instanceof SettleError;
