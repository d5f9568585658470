import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { globalOverrides } from '../global-options.js';
import { idleReplicasWarning } from '../../../domain/capacity/consumer-replicas.js';

export function registerKafkaCommand(program: Command, ctx: CliContext): void {
  const kafka = program.command('kafka').description('Kafka topics');
  kafka
    .command('init')
    .description('create the settlements topic, its DLQ and the rejects topic (idempotent)')
    .option('--partitions <n>', 'partitions of the settlements topic (env SETTLEMENT_TOPIC_PARTITIONS, default 6)')
    .option('--replicas <n>', 'consumer replicas the topic must serve: warns when it has fewer partitions (env CONSUMER_REPLICAS)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { partitions?: string; replicas?: string; json?: boolean }, cmd: Command) => {
      const config = ctx.config(['kafka'], { ...globalOverrides(cmd), SETTLEMENT_TOPIC_PARTITIONS: opts.partitions, CONSUMER_REPLICAS: opts.replicas });
      // loaded on use: kafkajs stays out of every other command's memory
      const { ensureSettlementTopics, settlementTopicSpecs } = await import('../../../composition/kafka-admin.js');
      const specs = settlementTopicSpecs(config);
      const result = await ensureSettlementTopics(config, ctx.logger(), specs);
      // an existing topic keeps its partition count: adding partitions moves keys, so it is never done silently
      const mismatched = result.existing.filter((e) => e.partitions !== specs.find((s) => s.topic === e.topic)?.numPartitions);
      // the partitions the topic really has (an existing one keeps its own), against the replicas the Deployment runs
      const partitions = result.existing.find((e) => e.topic === config.kafka.topic)?.partitions ?? config.kafka.partitions;
      const idle = idleReplicasWarning(config.kafka.topic, partitions, config.consumer.replicas);
      const warnings = idle ? [idle] : [];
      if (opts.json) {
        for (const w of warnings) ctx.err(`warning: ${w.message}`);
        ctx.out(JSON.stringify({ ...result, mismatched, warnings }));
        return;
      }
      for (const topic of result.created) ctx.out(`created ${topic} (${specs.find((s) => s.topic === topic)?.numPartitions ?? '?'} partition(s))`);
      for (const e of result.existing) ctx.out(`exists  ${e.topic} (${e.partitions} partition(s))`);
      for (const m of mismatched)
        ctx.err(`note: ${m.topic} has ${m.partitions} partition(s), not ${specs.find((s) => s.topic === m.topic)?.numPartitions ?? '?'}; left unchanged`);
      // a warning, not a failure: the exit code stays 0 (the migrate Job must not fail over it)
      for (const w of warnings) ctx.err(`warning: ${w.message}`);
    });
}
