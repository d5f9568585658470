import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SETTLEMENT_SCHEMA_FILE } from '../../../infrastructure/kafka/settlement-schema-file.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { usage } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';

export function registerSchemaCommand(program: Command, ctx: CliContext): void {
  const schema = program.command('schema').description('the Avro schema of the settlements topic');
  schema
    .command('check')
    .description("is the local schema BACKWARD compatible with the registry's latest version of <topic>-value? Run before a deploy (exit 3 if not)")
    .option('--schema <file>', 'the .avsc to check', SETTLEMENT_SCHEMA_FILE)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { schema: string; json?: boolean }, cmd: Command) => {
      const config = ctx.config(['registry'], globalOverrides(cmd));
      if (!existsSync(opts.schema)) throw usage('SCHEMA_FILE_MISSING', `--schema ${opts.schema} does not exist`);
      // loaded on use: the registry client (undici) and avsc stay out of every other command's memory
      const check = (await import('../../../composition/schema-check.js')).wireSchemaCheck(config);
      try {
        const result = await check.value(opts.schema);
        if (opts.json) ctx.out(JSON.stringify({ schema: opts.schema, ...result }));
        else if (result.status === 'unregistered')
          ctx.out(`ok: nothing registered yet under ${result.subject}; the producer registers ${opts.schema} on its first run`);
        else if (result.status === 'compatible') ctx.out(`ok: ${opts.schema} is BACKWARD compatible with ${result.subject} version ${result.latestVersion}`);
        else {
          ctx.out(`incompatible: ${opts.schema} cannot be the next version of ${result.subject} (latest ${result.latestVersion}) under BACKWARD`);
          for (const reason of result.reasons) ctx.out(`  - ${reason}`);
          ctx.out(
            '  fix: give new fields a default (nullable with default null), keep field types, or publish to a new topic/subject version (e.g. toss.settlements.v2)',
          );
        }
        if (result.status === 'incompatible') ctx.setExitCode(ExitCode.DATA);
      } finally {
        await check.close();
      }
    });
}
