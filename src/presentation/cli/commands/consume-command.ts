import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { globalOverrides } from '../global-options.js';

interface ConsumeOptions {
  group?: string;
  untilIdle?: boolean;
  concurrency?: string;
  metricsPort?: string;
  json?: boolean;
}

export function registerConsumeCommand(program: Command, ctx: CliContext): void {
  program
    .command('consume')
    .description('load settlement records from Kafka into MySQL (idempotent upsert, offsets stored with the rows) until SIGTERM')
    .option('--group <id>', 'consumer group (env CONSUMER_GROUP, default settlement-loader)')
    .option('--until-idle', 'exit once every assigned partition is caught up (tests, backfills)')
    .option('--concurrency <n>', 'partitions loaded at once (env CONSUMER_CONCURRENCY, default 3)')
    .option('--metrics-port <port>', 'port of /healthz, /readyz and /metrics on METRICS_HOST (env METRICS_PORT, default 9464; 0 = any)')
    .option('--json', 'print the final summary as JSON')
    .addHelpText(
      'after',
      '\nThe final summary (records, inserted, updated, unchanged, dead-lettered, duration, rows/s) goes to stdout.\n' +
        'Poison records go to <topic>.dlq (see `settle dlq`). Exit 0 after SIGTERM/SIGINT or --until-idle (4,\n' +
        'SHUTDOWN_DEADLINE_EXCEEDED, when the stop cannot finish within SHUTDOWN_TIMEOUT_MS); 4 when MySQL\n' +
        'stays unavailable past CONSUMER_MAX_DB_RETRIES (nothing is skipped: restart to resume); 3 when a stored offset is\n' +
        'outside the log: past its end (STORED_OFFSET_BEYOND_LOG) or below its start, records deleted by retention before\n' +
        'they were loaded (STORED_OFFSET_BELOW_LOG_START; the error says how to replay them).',
    )
    .action(async (opts: ConsumeOptions, cmd: Command) => {
      const config = ctx.config(['kafka', 'registry', 'mysql'], {
        ...globalOverrides(cmd),
        CONSUMER_GROUP: opts.group,
        CONSUMER_CONCURRENCY: opts.concurrency,
        METRICS_PORT: opts.metricsPort,
      });
      // loaded on use: the consumer's dependencies stay out of every other command's memory
      const { runConsumer } = await import('../../consumer/consumer-runner.js');
      const { formatSummary } = await import('../../consumer/consume-summary.js');
      const summary = await runConsumer({ config, logger: ctx.logger(), signal: ctx.signal, untilIdle: opts.untilIdle === true });
      ctx.out(opts.json ? JSON.stringify(summary) : formatSummary(summary));
    });
}
