import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { registerCalendarCommand } from './calendar-command.js';
import { registerDbCommand } from './db-command.js';
import { registerProduceCommand } from './produce-command.js';
import { registerJobsCommand } from './jobs-command.js';
import { registerSettlementsCommand } from './settlements-command.js';
import { registerReplayCommand } from './replay-command.js';
import { registerReconcileCommand } from './reconcile-command.js';
import { registerConsumeCommand } from './consume-command.js';
import { registerKafkaCommand } from './kafka-command.js';
import { registerDlqCommand } from './dlq-command.js';
import { registerDoctorCommand } from './doctor-command.js';
import { registerSchemaCommand } from './schema-command.js';
import { registerOrderCommand } from './order-command.js';
import { registerPlanCommand } from './plan-command.js';

/** Every command of the CLI, in --help order. Each registrar adds one top-level command. */
const registrars: Array<(program: Command, ctx: CliContext) => void> = [
  registerDbCommand,
  registerProduceCommand,
  registerReplayCommand,
  registerReconcileCommand,
  registerConsumeCommand,
  registerDlqCommand,
  registerKafkaCommand,
  registerJobsCommand,
  registerSettlementsCommand,
  registerCalendarCommand,
  registerOrderCommand,
  registerDoctorCommand,
  registerSchemaCommand,
  registerPlanCommand,
];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const register of registrars) register(program, ctx);
}
