import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { registerCalendarCommand } from './calendar-command.js';
import { registerDbCommand } from './db-command.js';
import { registerProduceCommand } from './produce-command.js';
import { registerJobsCommand } from './jobs-command.js';
import { registerSettlementsCommand } from './settlements-command.js';
import { registerReplayCommand } from './replay-command.js';

/** Every command of the CLI, in --help order. Each registrar adds one top-level command. */
const registrars: Array<(program: Command, ctx: CliContext) => void> = [registerDbCommand, registerProduceCommand, registerReplayCommand, registerJobsCommand, registerSettlementsCommand, registerCalendarCommand];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const register of registrars) register(program, ctx);
}
