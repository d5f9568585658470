import type { Command } from 'commander';
import { createKafka } from '../../../infrastructure/kafka/kafka-client.js';
import { createMySqlPool } from '../../../infrastructure/mysql/mysql-pool.js';
import { toSettleError } from '../../../infrastructure/mysql/mysql-errors.js';
import { readServerInfo } from '../../../infrastructure/mysql/server-flavour.js';
import { upsertFormFor, upsertOffsetSql } from '../../../infrastructure/mysql/settlement-upsert-sql.js';
import { SettleError } from '../../../domain/shared/settle-error.js';
import type { CliContext } from '../cli-context.js';
import { usage } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';

/**
 * Rewinds the loader to a point in time: the stored offsets in MySQL (the source of truth the consumer seeks
 * to) and the group's Kafka offsets (for lag). Refused while the group has live members, since they would
 * overwrite the rewind with their own next commit.
 */
export async function rewindConsumerOffsets(ctx: CliContext, cmd: Command, opts: { since?: string; group?: string; force?: boolean; yes?: boolean; dryRun?: boolean; json?: boolean }): Promise<void> {
  if (!opts.since || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(opts.since) || Number.isNaN(Date.parse(opts.since)))
    throw usage('INVALID_FLAG', '--since must be an ISO-8601 instant with an offset, e.g. 2025-02-10T00:00:00+09:00');
  const config = ctx.config(['kafka', 'mysql'], { ...globalOverrides(cmd), CONSUMER_GROUP: opts.group });
  const group = config.consumer.groupId;
  const topic = config.kafka.topic;
  const at = Date.parse(opts.since);
  const admin = createKafka(config.kafka, ctx.logger()).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    const members = groups[0]?.members.length ?? 0;
    if (members > 0 && !opts.force)
      throw new SettleError('GROUP_HAS_LIVE_MEMBERS', `group ${group} has ${members} live member(s): stop the consumers first (or pass --force; they may overwrite the rewind)`, { category: 'already-running' });
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, at);
    const plan = offsets.map((o) => ({ partition: o.partition, offset: o.offset })).sort((a, b) => a.partition - b.partition);
    if (opts.json) ctx.out(JSON.stringify({ group, topic, since: opts.since, partitions: plan, dryRun: opts.dryRun === true }));
    else for (const p of plan) ctx.out(`${opts.dryRun ? 'would rewind' : 'rewinding'} ${topic}[${p.partition}] for ${group} to offset ${p.offset}`);
    if (opts.dryRun) return;
    if (!opts.yes && !ctx.stdinIsTTY) throw usage('CONFIRMATION_REQUIRED', 'pass --yes to confirm when not on a terminal');
    if (!opts.yes && !/^y(es)?$/i.test((await ctx.ask('Rewind? [y/N] ')).trim())) return ctx.out('cancelled');
    const pool = createMySqlPool(config.mysql, 1);
    try {
      const conn = await pool.getConnection();
      try {
        // a rewind sets the position as given (no GREATEST), in the statement form the server takes
        const setOffset = upsertOffsetSql('set', upsertFormFor(await readServerInfo(conn)));
        await conn.beginTransaction();
        for (const p of plan) await conn.query(setOffset, [group, topic, p.partition, p.offset]);
        await conn.commit();
      } catch (error) {
        await conn.rollback().catch(() => undefined);
        throw toSettleError(error);
      } finally {
        conn.release();
      }
    } finally {
      await pool.end();
    }
    if (members === 0) await admin.setOffsets({ groupId: group, topic, partitions: plan.map((p) => ({ partition: p.partition, offset: p.offset })) });
    if (!opts.json) ctx.out(`rewound ${plan.length} partition(s); the next \`settle consume\` reloads from there (idempotent upsert)`);
  } finally {
    await admin.disconnect();
  }
}
