/**
 * Self time of a V8 `.cpuprofile` (node --cpu-prof) summed by pipeline stage. A frame's stage comes from its
 * script URL (first matching rule below); a frame without one (a builtin such as JSON.parse or
 * Array.prototype.sort, or native code) counts for the stage of its nearest caller that has one, so
 * JSON.parse called by the Toss client counts as "toss JSON + validation" and the sort inside the store as
 * "SQL building". V8's pseudo frames are stages of their own.
 */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
    readonly children?: readonly number[];
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export const STAGES = [
  'toss JSON + validation',
  'Avro (avsc + registry)',
  'kafkajs',
  'mysql2',
  'SQL building',
  'settle (other)',
  'HTTP (undici)',
  'logging (pino)',
  'node internals',
  'other libraries',
  'GC',
  'program (native)',
  'idle',
] as const;
export type Stage = (typeof STAGES)[number];

const PSEUDO: Record<string, Stage | null> = { '(garbage collector)': 'GC', '(program)': 'program (native)', '(idle)': 'idle', '(root)': null };

// [url fragment, stage]: first match wins; URLs are file:// paths of dist/ and node_modules/, or node:… for Node's own
const RULES: ReadonlyArray<readonly [string, Stage]> = [
  ['/node_modules/avsc/', 'Avro (avsc + registry)'],
  ['/node_modules/@kafkajs/confluent-schema-registry/', 'Avro (avsc + registry)'],
  ['/dist/infrastructure/kafka/settlement-serde', 'Avro (avsc + registry)'],
  ['/node_modules/kafkajs/', 'kafkajs'],
  ['/node_modules/mysql2/', 'mysql2'],
  ['/node_modules/undici/', 'HTTP (undici)'],
  ['/node_modules/pino', 'logging (pino)'],
  ['/node_modules/', 'other libraries'],
  ['/dist/infrastructure/mysql/settlement-upsert-sql', 'SQL building'],
  ['/dist/infrastructure/mysql/settlement-row', 'SQL building'],
  ['/dist/infrastructure/mysql/mysql-settlement-store', 'SQL building'],
  ['/dist/infrastructure/toss/', 'toss JSON + validation'],
  ['/dist/domain/', 'toss JSON + validation'],
  ['/dist/', 'settle (other)'],
  ['node:', 'node internals'],
];

export function stageOfUrl(url: string): Stage | null {
  if (url === '') return null;
  for (const [fragment, stage] of RULES) if (url.includes(fragment)) return stage;
  return 'other libraries';
}

export interface StageTimes {
  /** Microseconds of self time per stage (every stage present, 0 when absent). */
  readonly us: Record<Stage, number>;
  readonly totalUs: number;
}

export function stageTimes(profile: CpuProfile): StageTimes {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, Stage>();
  const resolve = (id: number): Stage => {
    const known = stageOf.get(id);
    if (known) return known;
    const frame = byId.get(id)?.callFrame;
    let stage: Stage | null = null;
    if (frame && frame.functionName in PSEUDO) stage = PSEUDO[frame.functionName] ?? 'program (native)';
    else if (frame) stage = stageOfUrl(frame.url);
    if (stage === null) {
      const up = parent.get(id);
      stage = up === undefined ? 'program (native)' : resolve(up);
    }
    stageOf.set(id, stage);
    return stage;
  };
  const us = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  let totalUs = 0;
  // timeDeltas[i] is the time before sample i; attribute it to that sample's frame (what V8's own views do)
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = Math.max(0, profile.timeDeltas[i] ?? 0);
    us[resolve(profile.samples[i] ?? 0)] += dt;
    totalUs += dt;
  }
  return { us, totalUs };
}

/** µs per row of each stage, rounded to 0.01; stages with no time left out; `busy` excludes idle. */
export function perRow(times: StageTimes, rows: number): { stages: Partial<Record<Stage, number>>; busyUsPerRow: number } {
  const stages: Partial<Record<Stage, number>> = {};
  const r2 = (n: number) => Math.round(n * 100) / 100;
  let busy = 0;
  for (const s of STAGES) {
    const v = times.us[s];
    if (v <= 0 || rows <= 0) continue;
    stages[s] = r2(v / rows);
    if (s !== 'idle') busy += v;
  }
  return { stages, busyUsPerRow: rows > 0 ? r2(busy / rows) : 0 };
}

export function addStageTimes(a: StageTimes, b: StageTimes): StageTimes {
  const us = Object.fromEntries(STAGES.map((s) => [s, a.us[s] + b.us[s]])) as Record<Stage, number>;
  return { us, totalUs: a.totalUs + b.totalUs };
}
