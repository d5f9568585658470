import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsumerFixture } from './consumer-fixture.js';

// Runs the built binary (`npx tsc -p tsconfig.build.json` first).
describe('settle kafka init, and consume on an empty topic', () => {
  let fx: ConsumerFixture;
  const topic = `it.init.${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    fx = await ConsumerFixture.create('init', 2);
  });
  afterAll(async () => {
    const admin = fx.kafka.admin();
    await admin.connect();
    const fresh = `${topic}.fresh`;
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`, `${topic}.rejects`, fresh, `${fresh}.dlq`, `${fresh}.rejects`] }).catch(() => undefined);
    await admin.disconnect();
    await fx?.close();
  });

  it('creates the topic, its DLQ and rejects topic once, and reports them as existing afterwards', async () => {
    const first = await fx.spawnSettle(['kafka', 'init', '--partitions', '4'], { SETTLEMENT_TOPIC: topic }).output;
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`created ${topic} (4 partition(s))`);
    expect(first.stdout).toContain(`created ${topic}.dlq (1 partition(s))`);
    expect(first.stdout).toContain(`created ${topic}.rejects (1 partition(s))`);
    const again = await fx.spawnSettle(['kafka', 'init', '--partitions', '6', '--json'], { SETTLEMENT_TOPIC: topic }).output;
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout) as { created: string[]; existing: Array<{ topic: string; partitions: number }>; mismatched: unknown[] };
    expect(result.created).toEqual([]);
    expect(result.existing).toContainEqual({ topic, partitions: 4 });
    expect(result.mismatched).toEqual([{ topic, partitions: 4 }]); // never repartitioned silently
  });

  it('warns (stderr and --json, exit 0) when the topic has fewer partitions than CONSUMER_REPLICAS, and is silent when it has enough', async () => {
    // the topic exists with 4 partitions (created above): 5 replicas leave one idle, 4 fit
    const tooMany = await fx.spawnSettle(['kafka', 'init', '--json'], { SETTLEMENT_TOPIC: topic, CONSUMER_REPLICAS: '5' }).output;
    expect(tooMany.code, tooMany.stderr).toBe(0);
    const warning = `warning: ${topic} has 4 partitions for 5 consumer replicas: 1 replica(s) will sit idle; add partitions (kafka-topics --alter) or lower the replicas`;
    expect(tooMany.stderr).toContain(warning);
    expect((JSON.parse(tooMany.stdout) as { warnings: unknown[] }).warnings).toEqual([
      expect.objectContaining({ code: 'CONSUMER_REPLICAS_IDLE', topic, partitions: 4, replicas: 5, idleReplicas: 1 }),
    ]);
    const text = await fx.spawnSettle(['kafka', 'init', '--replicas', '6'], { SETTLEMENT_TOPIC: topic, CONSUMER_REPLICAS: '1' }).output;
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toContain(`warning: ${topic} has 4 partitions for 6 consumer replicas: 2 replica(s) will sit idle`);
    const fits = await fx.spawnSettle(['kafka', 'init', '--json'], { SETTLEMENT_TOPIC: topic, CONSUMER_REPLICAS: '4' }).output;
    expect(fits.code, fits.stderr).toBe(0);
    expect(fits.stderr).not.toContain('warning:');
    expect((JSON.parse(fits.stdout) as { warnings: unknown[] }).warnings).toEqual([]);
    // a topic created now is checked against the partitions it was created with
    const created = await fx.spawnSettle(['kafka', 'init', '--partitions', '2'], { SETTLEMENT_TOPIC: `${topic}.fresh`, CONSUMER_REPLICAS: '3' }).output;
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`created ${topic}.fresh (2 partition(s))`);
    expect(created.stderr).toContain(`warning: ${topic}.fresh has 2 partitions for 3 consumer replicas: 1 replica(s) will sit idle`);
  });

  it('refuses a CONSUMER_REPLICAS that is not a whole number ≥ 1 (exit 2, naming the variable)', async () => {
    const out = await fx.spawnSettle(['kafka', 'init'], { SETTLEMENT_TOPIC: topic, CONSUMER_REPLICAS: '0' }).output;
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('CONSUMER_REPLICAS must be ≥ 1');
  });

  it('consume --until-idle exits 0 at once on an empty topic', async () => {
    const out = await fx.spawnSettle(['consume', '--until-idle', '--json']).output;
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ records: 0, inserted: 0, stoppedBy: 'idle' });
  });

  it('refuses to consume a topic that was never created, naming the fix', async () => {
    const out = await fx.spawnSettle(['consume', '--until-idle'], { SETTLEMENT_TOPIC: `${topic}.missing` }).output;
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('settle kafka init');
  });
});
