import { Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context.js';
import { EXIT_CODE_HELP } from './exit-codes.js';
import { addGlobalOptions } from './global-options.js';
import { registerCommands } from './commands/register-commands.js';

/** Builds the `settle` program. Commander errors are thrown (exitOverride), never exit the process itself. */
export function buildProgram(ctx: CliContext, version: string): Command {
  const program = new Command('settle')
    .description('Toss Payments settlements → Kafka (Avro) → MySQL, plus the order/payment core.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\n${EXIT_CODE_HELP}\n\nEnvironment: TOSS_API_BASE_URL, TOSS_SECRET_KEY, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MYSQL_URL,\nSETTLEMENT_TOPIC, LOG_LEVEL (see README for the full list). Flags override the environment.`,
    )
    .configureOutput({ writeOut: (s) => ctx.out(s.replace(/\n$/, '')), writeErr: (s) => ctx.err(s.replace(/\n$/, '')) })
    .exitOverride();
  addGlobalOptions(program);
  registerCommands(program, ctx);
  for (const sub of program.commands) inherit(sub);
  return program;
}

/** Subcommands throw instead of exiting and print through ctx too. */
function inherit(command: Command): void {
  command.exitOverride().showHelpAfterError('(run with --help for usage)');
  for (const sub of command.commands) inherit(sub);
}

export { CommanderError };
