import { createInterface } from 'node:readline/promises';
import { CommanderError, type Command } from 'commander';
import { isSettleError } from '../../domain/shared/settle-error.js';
import type { Env, loadConfig as LoadConfig } from '../../infrastructure/config/config.js';
import type { createLogger as CreateLogger, Logger } from '../../infrastructure/logging/logger.js';
import type { CliContext } from './cli-context.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import { buildProgram } from './program.js';

export interface RunCliOptions {
  readonly argv: readonly string[];
  readonly env: Env;
  readonly version: string;
  readonly stdout?: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WriteStream;
  readonly signal: AbortSignal;
}

/**
 * The log level when neither LOG_LEVEL nor --log-level gives one. Off a terminal `info` (cron, Kubernetes, CI read
 * the JSON). On a terminal `warn`: the answer (a table, a summary, the progress bar) is what a person asked for, and
 * warnings and errors are what needs their attention; `consume` keeps `info`, its per-batch lines being the only
 * sign that it is working.
 */
export function defaultLogLevel(command: string, stderrIsTTY: boolean): string {
  if (!stderrIsTTY) return 'info';
  return TTY_INFO_COMMANDS.has(command) ? 'info' : 'warn';
}
const TTY_INFO_COMMANDS = new Set(['consume']);

/** `db partitions list` for that subcommand (the program's own name left out). */
const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/** Parses argv, runs the command, and turns every outcome into an exit code. Never calls process.exit. */
export async function runCli(options: RunCliOptions): Promise<{ code: number; logger: Logger | null }> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  let exitCode: number = ExitCode.OK;
  let logger: Logger | null = null;
  let logLevel = options.env.LOG_LEVEL ?? 'info';
  let levelGiven = options.env.LOG_LEVEL !== undefined && options.env.LOG_LEVEL !== '';
  let command = '';
  // the config's validation (zod) and the logger (pino) are loaded before a command's action runs, never for
  // --help or --version: see services()
  let loadConfig: typeof LoadConfig | null = null;
  let createLogger: typeof CreateLogger | null = null;
  const services = async () => {
    loadConfig ??= (await import('../../infrastructure/config/config.js')).loadConfig;
    createLogger ??= (await import('../../infrastructure/logging/logger.js')).createLogger;
    return { loadConfig, createLogger };
  };
  const loaded = <T>(service: T | null): T => {
    if (service === null) throw new Error('the CLI services are loaded before an action runs');
    return service;
  };

  const ctx: CliContext = {
    env: options.env,
    out: (line) => void stdout.write(`${line}\n`),
    err: (line) => void stderr.write(`${line}\n`),
    stdoutIsTTY: stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    config(needs, overrides = {}) {
      const merged: Record<string, string | undefined> = { ...options.env };
      for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = String(v);
      const config = loaded(loadConfig)(merged, needs);
      logLevel = config.logLevel;
      levelGiven = merged.LOG_LEVEL !== undefined && merged.LOG_LEVEL !== '';
      return config;
    },
    logger() {
      logger ??= loaded(createLogger)(levelGiven ? logLevel : defaultLogLevel(command, stderr.isTTY === true));
      return logger;
    },
    signal: options.signal,
    setExitCode(code) {
      exitCode = code;
    },
    async ask(question) {
      const rl = createInterface({ input: process.stdin, output: stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };

  const program = buildProgram(ctx, options.version);
  program.hook('preAction', async (_program, action) => {
    command = commandPath(action);
    await services();
  });
  try {
    await program.parseAsync(options.argv as string[]);
    return { code: exitCode, logger };
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are "errors" to commander; they already printed
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help')
        return { code: ExitCode.OK, logger };
      return { code: ExitCode.USAGE, logger };
    }
    if (isSettleError(error)) ctx.err(`settle: ${error.code}: ${error.message}`);
    else ctx.err(`settle: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { code: exitCodeOf(error), logger };
  }
}
