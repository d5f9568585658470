import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { globalOverrides } from '../global-options.js';
import { createMySqlConnection } from '../../../infrastructure/mysql/mysql-pool.js';
import { migrate, pendingMigrations } from '../../../infrastructure/mysql/migrator.js';
import { translateMySqlError } from '../../../infrastructure/mysql/mysql-errors.js';

export function registerDbCommand(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply pending migrations (versioned, each once, under a lock)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = ctx.config(['mysql'], globalOverrides(cmd));
      const conn = await createMySqlConnection(config.mysql, { multipleStatements: true }).catch(translateMySqlError);
      try {
        const result = await migrate(conn, ctx.logger().child({ component: 'migrator' })).catch(translateMySqlError);
        if (opts.json) ctx.out(JSON.stringify(result));
        else ctx.out(result.applied.length ? `applied ${result.applied.length} migration(s): ${result.applied.join(', ')}` : 'schema is up to date');
      } finally {
        await conn.end();
      }
    });
  db.command('status')
    .description('list applied and pending migrations')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = ctx.config(['mysql'], globalOverrides(cmd));
      const conn = await createMySqlConnection(config.mysql).catch(translateMySqlError);
      try {
        const status = await pendingMigrations(conn).catch(translateMySqlError);
        if (opts.json) ctx.out(JSON.stringify(status));
        else ctx.out(`applied: ${status.applied.join(', ') || '(none)'}\npending: ${status.pending.join(', ') || '(none)'}`);
      } finally {
        await conn.end();
      }
    });
}
