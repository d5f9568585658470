import type { Config, ConfigSection, Env } from '../../infrastructure/config/config.js';
import type { Logger } from '../../infrastructure/logging/logger.js';

/** What every command gets from main: the environment, output streams and lazily built shared services. */
export interface CliContext {
  readonly env: Env;
  /** Results go to stdout, one line per call. */
  out(line: string): void;
  /** Human messages (errors, prompts) go to stderr. */
  err(line: string): void;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  /** Validated config; `overrides` are flag values keyed by env name (flags win over env). */
  config(needs: readonly ConfigSection[], overrides?: Readonly<Record<string, string | number | undefined>>): Config;
  logger(): Logger;
  /** Aborted on SIGTERM/SIGINT. */
  readonly signal: AbortSignal;
  setExitCode(code: number): void;
  /** Read a line from the terminal (confirmation prompts). */
  ask(question: string): Promise<string>;
}
