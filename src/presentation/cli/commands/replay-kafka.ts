import type { Command } from 'commander';
import { SettleError } from '../../../domain/shared/settle-error.js';
import type { CliContext } from '../cli-context.js';
import { usage } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';

/**
 * Rewinds the loader to a point in time: the stored offsets in MySQL (the source of truth the consumer seeks
 * to) and the group's Kafka offsets (for lag). Refused while the group has live members, since they would
 * overwrite the rewind with their own next commit.
 */
export async function rewindConsumerOffsets(
  ctx: CliContext,
  cmd: Command,
  opts: { since?: string; group?: string; force?: boolean; yes?: boolean; dryRun?: boolean; json?: boolean },
): Promise<void> {
  if (!opts.since || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(opts.since) || Number.isNaN(Date.parse(opts.since)))
    throw usage('INVALID_FLAG', '--since must be an ISO-8601 instant with an offset, e.g. 2025-02-10T00:00:00+09:00');
  const config = ctx.config(['kafka', 'mysql'], { ...globalOverrides(cmd), CONSUMER_GROUP: opts.group });
  const at = Date.parse(opts.since);
  // loaded on use, like every command's dependencies: kafkajs and mysql2 stay out of every other command's memory
  const wired = await (await import('../../../composition/consumer-rewind.js')).wireConsumerRewind(config, ctx.logger());
  const { group, topic } = wired.value;
  try {
    const members = await wired.value.liveMembers();
    if (members > 0 && !opts.force)
      throw new SettleError(
        'GROUP_HAS_LIVE_MEMBERS',
        `group ${group} has ${members} live member(s): stop the consumers first (or pass --force; they may overwrite the rewind)`,
      );
    const plan = await wired.value.offsetsAt(at);
    if (opts.json) ctx.out(JSON.stringify({ group, topic, since: opts.since, partitions: plan, dryRun: opts.dryRun === true }));
    else for (const p of plan) ctx.out(`${opts.dryRun ? 'would rewind' : 'rewinding'} ${topic}[${p.partition}] for ${group} to offset ${p.offset}`);
    if (opts.dryRun) return;
    if (!opts.yes && !ctx.stdinIsTTY) throw usage('CONFIRMATION_REQUIRED', 'pass --yes to confirm when not on a terminal');
    if (!opts.yes && !/^y(es)?$/i.test((await ctx.ask('Rewind? [y/N] ')).trim())) return ctx.out('cancelled');
    await wired.value.setStoredOffsets(plan);
    if (members === 0) await wired.value.setGroupOffsets(plan);
    if (!opts.json) ctx.out(`rewound ${plan.length} partition(s); the next \`settle consume\` reloads from there (idempotent upsert)`);
  } finally {
    await wired.close();
  }
}
