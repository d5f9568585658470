import type { Command } from 'commander';
import { SettleError } from '../../../domain/shared/settle-error.js';
import type { DlqRecord } from '../../../infrastructure/kafka/dlq-reader.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { globalOverrides } from '../global-options.js';
import { renderTable, type Cell, type Column } from '../table.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** "O" (partition 0, the DLQ's only partition by default) or "P:O". */
export function parseDlqOffset(text: string): { partition: number; offset: number } {
  const m = /^(?:(\d+):)?(\d+)$/.exec(text.trim());
  if (!m) throw new SettleError('DLQ_OFFSET_INVALID', `--offset "${text}" is not an offset (O or PARTITION:OFFSET)`);
  return { partition: Number(m[1] ?? 0), offset: Number(m[2]) };
}

const describe = (r: DlqRecord) => ({
  dlqPartition: r.partition,
  dlqOffset: r.offset,
  originalTopic: r.info?.originalTopic ?? null,
  originalPartition: r.info?.originalPartition ?? null,
  originalOffset: r.info?.originalOffset ?? null,
  originalTimestamp: r.info ? new Date(r.info.originalTimestamp).toISOString() : null,
  errorCode: r.info?.errorCode ?? null,
  errorMessage: r.info?.errorMessage ?? null,
  deadLetteredAt: r.info?.deadLetteredAt ?? null,
  key: r.key?.toString('utf8') ?? null,
  valueBytes: r.value?.length ?? 0,
});

const line = (r: DlqRecord): string =>
  r.info
    ? `${r.partition}:${r.offset}  ${r.info.deadLetteredAt}  ${r.info.originalTopic}[${r.info.originalPartition}]@${r.info.originalOffset}  ${r.info.errorCode}  ${r.info.errorMessage}`
    : `${r.partition}:${r.offset}  (no dead-letter headers)`;

/** `dlq list`: the error message wraps within the width (the terminal's, else 120); `--json` has every field. */
const LIST_COLUMNS: readonly Column[] = [
  { header: 'dlq', align: 'right' },
  { header: 'dead-lettered at' },
  { header: 'original', wrap: true, min: 16 },
  { header: 'error', wrap: true, min: 12 },
  { header: 'message', wrap: true, min: 20 },
];
const listRow = (r: DlqRecord): Cell[] =>
  r.info
    ? [
        `${r.partition}:${r.offset}`,
        r.info.deadLetteredAt,
        `${r.info.originalTopic}[${r.info.originalPartition}]@${r.info.originalOffset}`,
        r.info.errorCode,
        r.info.errorMessage,
      ]
    : [`${r.partition}:${r.offset}`, '-', '-', '-', '(no dead-letter headers)'];

export function registerDlqCommand(program: Command, ctx: CliContext): void {
  const dlq = program.command('dlq').description('inspect and re-publish poison records of <topic>.dlq');
  dlq
    .command('list')
    .description('show the latest dead letters: DLQ offset, when, original position, error code and message')
    .option('--limit <n>', 'how many of the latest to show', '50')
    .option('--json', 'print JSON lines')
    .action(async (opts: { limit: string; json?: boolean }, cmd: Command) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new SettleError('LIMIT_INVALID', '--limit must be a whole number ≥ 1');
      const config = ctx.config(['kafka'], globalOverrides(cmd));
      const dlqs = (await import('../../../composition/kafka-admin.js')).wireDeadLetters(config, ctx.logger()); // kafkajs, loaded on use
      const topic = dlqs.topic;
      const marks = await dlqs.watermarks();
      const ranges = new Map([...marks].map(([p, w]) => [p, { from: Math.max(w.low, w.high - limit), to: w.high }]));
      const records = (await dlqs.read(ranges)).sort((a, b) => (a.info?.deadLetteredAt ?? '').localeCompare(b.info?.deadLetteredAt ?? '')).slice(-limit);
      const total = [...marks.values()].reduce((n, w) => n + (w.high - w.low), 0);
      if (opts.json) for (const r of records) ctx.out(JSON.stringify(describe(r)));
      else {
        for (const l of renderTable(LIST_COLUMNS, records.map(listRow))) ctx.out(l);
        ctx.out(`${records.length} of ${total} dead letter(s) in ${topic}`);
      }
    });
  dlq
    .command('redrive')
    .description('re-publish chosen dead letters (original bytes, headers and timestamp) to their original topic')
    .option('--offset <o>', 'DLQ offset to redrive, O or PARTITION:OFFSET (repeatable)', collect, [])
    .option('--all', 'redrive every dead letter')
    .option('--dry-run', 'show what would be re-published, publish nothing')
    .action(async (opts: { offset: string[]; all?: boolean; dryRun?: boolean }, cmd: Command) => {
      if (opts.all === opts.offset.length > 0) throw new SettleError('REDRIVE_SELECTION_INVALID', 'give either --offset … or --all');
      const wanted = opts.offset.map(parseDlqOffset);
      const config = ctx.config(['kafka'], globalOverrides(cmd));
      const dlqs = (await import('../../../composition/kafka-admin.js')).wireDeadLetters(config, ctx.logger()); // kafkajs, loaded on use
      const topic = dlqs.topic;
      const marks = await dlqs.watermarks();
      const ranges = new Map<number, { from: number; to: number }>();
      for (const [p, w] of marks) {
        const mine = wanted.filter((x) => x.partition === p).map((x) => x.offset);
        if (opts.all) ranges.set(p, { from: w.low, to: w.high });
        else if (mine.length > 0) ranges.set(p, { from: Math.max(w.low, Math.min(...mine)), to: Math.min(w.high, Math.max(...mine) + 1) });
      }
      const read = await dlqs.read(ranges);
      const chosen = opts.all ? read : read.filter((r) => wanted.some((x) => x.partition === r.partition && x.offset === r.offset));
      const missing = wanted.filter((x) => !read.some((r) => r.partition === x.partition && r.offset === x.offset));
      const foreign = chosen.filter((r) => r.info === null);
      for (const m of missing) ctx.err(`not found: ${m.partition}:${m.offset} in ${topic}`);
      for (const r of foreign) ctx.err(`skipped ${r.partition}:${r.offset}: no dead-letter headers, original topic unknown`);
      for (const r of chosen.filter((x) => x.info)) ctx.out(`${opts.dryRun ? 'would redrive' : 'redrive'} ${line(r)}`);
      const published = opts.dryRun ? 0 : await dlqs.redrive(chosen);
      ctx.out(opts.dryRun ? `dry run: ${chosen.length - foreign.length} record(s) would be re-published` : `re-published ${published} record(s)`);
      if (missing.length > 0 || foreign.length > 0) ctx.setExitCode(ExitCode.DATA);
    });
}
