import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { globalOverrides } from '../global-options.js';
import type { MySqlSettlementPartitions } from '../../../infrastructure/mysql/mysql-settlement-partitions.js';
import { LocalDate, todayInSeoul } from '../../../domain/calendar/local-date.js';
import {
  DEFAULT_DAYS_AHEAD,
  describePartitions,
  type DescribedPartition,
  planArchive,
  planEnsure,
  rangeLabel,
} from '../../../domain/settlement/settlement-partitions.js';
import { dateFlag, intFlag, usage } from '../flag-parsers.js';
import { renderTable, type Column } from '../table.js';

export function registerDbCommand(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply pending migrations (versioned, each once, under a lock)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = ctx.config(['mysql'], globalOverrides(cmd));
      const wired = await (await database()).wireMigrations(config, { multipleStatements: true });
      try {
        const result = await wired.value.migrate(ctx.logger().child({ component: 'migrator' }));
        if (opts.json) ctx.out(JSON.stringify(result));
        else ctx.out(result.applied.length ? `applied ${result.applied.length} migration(s): ${result.applied.join(', ')}` : 'schema is up to date');
      } finally {
        await wired.close();
      }
    });
  db.command('status')
    .description('list applied and pending migrations')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = ctx.config(['mysql'], globalOverrides(cmd));
      const wired = await (await database()).wireMigrations(config);
      try {
        const status = await wired.value.pending();
        if (opts.json) ctx.out(JSON.stringify(status));
        else ctx.out(`applied: ${status.applied.join(', ') || '(none)'}\npending: ${status.pending.join(', ') || '(none)'}`);
      } finally {
        await wired.close();
      }
    });
  registerPartitionsCommand(db, ctx);
}

/** The MySQL side of `db`, loaded on use (mysql2 stays out of every other command's memory). */
const database = () => import('../../../composition/database.js');

/** How long an ALTER waits for the table's metadata lock (the consumer's open transactions hold it). */
const LOCK_WAIT_SECONDS = 60;

function registerPartitionsCommand(db: Command, ctx: CliContext): void {
  const partitions = db
    .command('partitions')
    .description('daily partitions of the settlements table (by sold date): list, add ahead, archive or drop old days');

  const withPartitions = async <T>(cmd: Command, fn: (p: MySqlSettlementPartitions) => Promise<T>): Promise<T> => {
    const config = ctx.config(['mysql'], globalOverrides(cmd));
    const wired = await (await database()).wireSettlementPartitionAdmin(config, LOCK_WAIT_SECONDS);
    try {
      return await fn(wired.value);
    } finally {
      await wired.close();
    }
  };
  const view = (p: DescribedPartition) => ({
    name: p.name,
    kind: p.kind,
    from: p.from?.toString() ?? null,
    lessThan: p.lessThan?.toString() ?? null,
    range: rangeLabel(p),
    approxRows: p.approxRows,
  });

  partitions
    .command('list')
    .description("each partition: name, sold dates, approximate rows (the engine's estimate)")
    .option('--json', 'print the partitions as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const described = describePartitions(await withPartitions(cmd, (p) => p.list()));
      if (opts.json) return ctx.out(JSON.stringify(described.map(view)));
      const columns: Column[] = [{ header: 'partition' }, { header: 'sold dates' }, { header: '~rows', align: 'right' }];
      for (const line of renderTable(
        columns,
        described.map((p) => [p.name, rangeLabel(p), p.approxRows]),
      ))
        ctx.out(line);
    });

  partitions
    .command('ensure')
    .description(`add daily partitions (split off p_future) through a date; idempotent, and cheap when nothing is missing`)
    .option(
      '--from <date>',
      'first sold date that must have its own partition, YYYY-MM-DD (default: the earlier of today, Asia/Seoul, and the last date); dates already below the last partition bound stay where they are',
      dateFlag('--from'),
    )
    .option('--through <date>', 'last sold date that must have its own partition, YYYY-MM-DD', dateFlag('--through'))
    .option('--days-ahead <n>', `or: through today (Asia/Seoul) + n days (default ${DEFAULT_DAYS_AHEAD})`, intFlag('--days-ahead', 0, 366))
    .option('--dry-run', 'print the partitions that would be added, add nothing')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { from?: string; through?: string; daysAhead?: number; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.through !== undefined && opts.daysAhead !== undefined)
        throw usage('INVALID_FLAG', '--through and --days-ahead are alternatives: give one of them');
      const today = todayInSeoul(new Date());
      const through = opts.through !== undefined ? LocalDate.parse(opts.through, '--through') : today.addDays(opts.daysAhead ?? DEFAULT_DAYS_AHEAD);
      const from = opts.from !== undefined ? LocalDate.parse(opts.from, '--from') : through.isBefore(today) ? through : today;
      if (from.isAfter(through)) throw usage('INVALID_FLAG', `--from ${from.toString()} is after the last date ${through.toString()}`);
      const added = await withPartitions(cmd, (p) =>
        p.exclusively(async () => {
          const plan = planEnsure(await p.list(), [{ from, through }]);
          if (!opts.dryRun) await p.add(plan.add);
          return plan.add;
        }),
      );
      const names = added.map((a) => a.name);
      if (opts.json) return ctx.out(JSON.stringify({ through: through.toString(), dryRun: opts.dryRun === true, added: names }));
      if (names.length === 0) return ctx.out(`every sold date through ${through.toString()} already has a partition`);
      ctx.out(`${opts.dryRun ? 'would add' : 'added'} ${names.length} partition(s): ${names[0]} … ${names[names.length - 1]}`);
    });

  partitions
    .command('archive')
    .description(
      'move each whole daily partition before a date into its own table settlements_archive_YYYYMMDD (EXCHANGE PARTITION, a metadata operation), then drop the emptied partition. ' +
        'The catch-all p_history is whole or nothing: it goes (into settlements_archive_before_YYYYMMDD) only once all of it is before --before, and is never split',
    )
    .option('--before <date>', 'archive the partitions of sold dates before this date, YYYY-MM-DD (at most today, Asia/Seoul)', dateFlag('--before'))
    .option('--drop', 'drop the partitions without keeping their rows')
    .option('--dry-run', 'print what would be archived, change nothing')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { before?: string; drop?: boolean; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.before === undefined) throw usage('INVALID_FLAG', '--before <date> is required: the partitions of sold dates before it are archived');
      const before = LocalDate.parse(opts.before, '--before');
      const today = todayInSeoul(new Date());
      if (before.isAfter(today))
        throw usage(
          'INVALID_FLAG',
          `--before must be today (${today.toString()}, Asia/Seoul) or earlier: today's and later partitions are still written to, got ${before.toString()}`,
        );
      const keep = opts.drop !== true;
      const result = await withPartitions(cmd, (p) =>
        p.exclusively(async () => {
          const plan = planArchive(await p.list(), before, keep);
          if (!opts.dryRun)
            for (const step of plan.steps) {
              await p.archive(step);
              ctx.logger().info({ partition: step.partition, table: step.table }, keep ? 'archived partition' : 'dropped partition');
            }
          return plan;
        }),
      );
      const steps = result.steps.map((s) => ({ partition: s.partition, kind: s.kind, range: rangeLabel({ ...s }), table: s.table, approxRows: s.approxRows }));
      const historyNote = result.historyKept
        ? `${result.historyKept.partition} (sold dates before ${result.historyKept.lessThan.toString()}) is kept: the catch-all partition is archived whole or not at all, once --before is ${result.historyKept.lessThan.toString()} or later`
        : null;
      if (opts.json) return ctx.out(JSON.stringify({ before: before.toString(), dryRun: opts.dryRun === true, drop: !keep, steps, historyKept: historyNote }));
      const verb = opts.dryRun ? (keep ? 'would archive' : 'would drop') : keep ? 'archived' : 'dropped';
      if (steps.length === 0) ctx.out(`no whole partition before ${before.toString()}: nothing to archive`);
      for (const s of steps) ctx.out(`${verb} ${s.partition} (${s.range}, ~${s.approxRows} rows)${s.table ? ` into ${s.table}` : ''}`);
      if (historyNote) ctx.out(historyNote);
    });
}
