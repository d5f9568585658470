import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const K8S = root('deploy/k8s');

/** The UPPER_CASE keys of the zod object in config.ts: every variable settle reads. */
const knownEnvNames = (): Set<string> => {
  const text = readFileSync(root('src/infrastructure/config/config.ts'), 'utf8');
  const body = text.slice(text.indexOf('const schema = z.object({'), text.indexOf('});', text.indexOf('const schema = z.object({')));
  return new Set([...body.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string));
};

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every document of a (multi-document) YAML file; `merge` resolves compose's `<<:` keys. */
const parse = (file: string): Doc[] =>
  parseAllDocuments(readFileSync(file, 'utf8'), { merge: true })
    .map((d) => {
      expect(d.errors, `${file}: ${d.errors.map((e) => e.message).join('; ')}`).toEqual([]);
      return d.toJS() as Doc;
    })
    .filter((d) => d !== null);

const manifests = readdirSync(K8S)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parse(`${K8S}/${f}`).map((doc) => ({ file: f, doc })));
const byKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const one = (kind: string): Doc => {
  const docs = byKind(kind);
  expect(docs, kind).toHaveLength(1);
  return docs[0] as Doc;
};

const podSpec = (doc: Doc): Doc => (doc.kind === 'CronJob' ? doc.spec.jobTemplate.spec.template.spec : doc.spec.template.spec);
const containersOf = (doc: Doc): Doc[] => [...(podSpec(doc).initContainers ?? []), ...podSpec(doc).containers];
const workloads = () => manifests.filter((m) => ['CronJob', 'Job', 'Deployment'].includes(m.doc.kind)).map((m) => m.doc);
const replayJob = (): Doc => byKind('Job').find((j) => j.metadata.generateName === 'settle-replay-') as Doc;

describe('deploy/k8s manifests', () => {
  it('the config schema yields a non-trivial list of variable names (so the env checks cannot pass vacuously)', () => {
    const names = knownEnvNames();
    expect(names.size).toBeGreaterThanOrEqual(20);
    for (const n of ['TOSS_SECRET_KEY', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'MYSQL_URL', 'METRICS_HOST', 'SHUTDOWN_TIMEOUT_MS']) expect(names).toContain(n);
  });

  it('holds each expected kind, every one parseable and labelled', () => {
    expect(manifests.map((m) => `${m.file}:${m.doc.kind}`).sort()).toEqual(
      [
        'configmap.yaml:ConfigMap',
        'consumer-deployment.yaml:Deployment',
        'migrate-job.yaml:Job',
        'producer-cronjob.yaml:CronJob',
        'replay-job.yaml:Job',
        'secret.example.yaml:Secret',
      ].sort(),
    );
    for (const { doc } of manifests) expect(doc.metadata.labels['app.kubernetes.io/name']).toBe('settle');
  });

  it('every container runs the settle:latest placeholder image with the ConfigMap and Secret as env', () => {
    expect(workloads()).toHaveLength(4);
    for (const w of workloads())
      for (const c of containersOf(w)) {
        expect(c.image, c.name).toBe('settle:latest');
        expect(c.envFrom).toEqual([{ configMapRef: { name: 'settle-config' } }, { secretRef: { name: 'settle-secrets' } }]);
      }
    expect(one('ConfigMap').metadata.name).toBe('settle-config');
    expect(one('Secret').metadata.name).toBe('settle-secrets');
  });

  it('sets only variables the config schema knows, and keeps secrets out of the ConfigMap', () => {
    const known = knownEnvNames();
    const configMap = Object.keys(one('ConfigMap').data);
    const secret = Object.keys(one('Secret').stringData);
    // NODE_OPTIONS belongs to Node itself (heap sizing), not to settle's config schema
    const inline = workloads()
      .flatMap((w) => containersOf(w).flatMap((c) => (c.env ?? []).map((e: Doc) => e.name as string)))
      .filter((n) => n !== 'NODE_OPTIONS');
    expect(configMap.length).toBeGreaterThan(10);
    for (const name of [...configMap, ...secret, ...inline]) expect(known, `${name} is not a settle variable`).toContain(name);
    expect(secret.sort()).toEqual(['KAFKA_SASL_PASSWORD', 'MYSQL_URL', 'TOSS_SECRET_KEY']);
    for (const name of ['TOSS_SECRET_KEY', 'MYSQL_URL', 'KAFKA_SASL_PASSWORD', 'SCHEMA_REGISTRY_PASSWORD']) expect(configMap).not.toContain(name);
    for (const value of Object.values(one('Secret').stringData)) expect(value).toMatch(/REPLACE_ME/);
  });

  it('the Secret example holds placeholders only: every password and host in MYSQL_URL is REPLACE_ME…', () => {
    const data = one('Secret').stringData as Record<string, string>;
    const url = new URL(data.MYSQL_URL as string);
    expect(url.password).toBe('REPLACE_ME');
    expect(url.hostname).toMatch(/^replace_me/i);
    expect(data.TOSS_SECRET_KEY).toMatch(/^test_sk_REPLACE_ME$/);
    expect(data.KAFKA_SASL_PASSWORD).toBe('REPLACE_ME');
  });

  it('the producer is a CronJob in Asia/Seoul time running `settle produce` once at a time, never restarted in place', () => {
    const cron = one('CronJob');
    expect(cron.spec.timeZone).toBe('Asia/Seoul');
    expect(cron.spec.schedule).toBe('30 6 * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(podSpec(cron).restartPolicy).toBe('Never');
    expect(podSpec(cron).containers[0].args[0]).toBe('produce');
    // each pod (one worker) is sized as one producer process was
    expect(podSpec(cron).containers[0].resources).toMatchObject({ requests: { memory: '448Mi' }, limits: { memory: '768Mi' } });
  });

  /** The value of `--shards` in a container's args (null without it). */
  const shardsArg = (args: readonly string[]): number | null => {
    const at = args.indexOf('--shards');
    return at === -1 ? null : Number(args[at + 1]);
  };

  // one window split across N workers: an Indexed Job of N pods, each `--shards N` with its index from JOB_COMPLETION_INDEX
  it.each([
    ['the producer CronJob', () => one('CronJob').spec.jobTemplate.spec as Doc, () => podSpec(one('CronJob')), 'producer'],
    ['the replay Job', () => replayJob().spec as Doc, () => podSpec(replayJob()), 'replay'],
  ])('%s is an Indexed Job whose completions = parallelism = --shards, retried per worker', (_name, jobSpec, pod, container) => {
    const spec = jobSpec();
    expect(spec.completionMode).toBe('Indexed');
    const args = pod().containers[0].args as string[];
    const shards = shardsArg(args);
    expect(shards).toBeGreaterThan(1);
    expect(spec.completions).toBe(shards);
    expect(spec.parallelism).toBe(shards);
    expect(args).not.toContain('--shard'); // the index comes from JOB_COMPLETION_INDEX, set per pod by Kubernetes
    // retries are counted per worker (beta in Kubernetes 1.29, GA in 1.33): one worker's failures never use up another's
    expect(spec.backoffLimitPerIndex).toBeGreaterThan(0);
    expect(spec.backoffLimit).toBeUndefined();
    if (spec.maxFailedIndexes !== undefined) expect(spec.maxFailedIndexes).toBeLessThan(shards as number);
    expect(pod().restartPolicy).toBe('Never'); // required by backoffLimitPerIndex
    // exits a retry cannot change: the same for every worker ends the Job, one worker's own ends its index only;
    // 4 (transient) and 1 are left to backoffLimitPerIndex
    const rules = spec.podFailurePolicy.rules as Doc[];
    const codes = (action: string) => rules.filter((r) => r.action === action).flatMap((r) => r.onExitCodes.values as number[]);
    expect(codes('FailJob')).toEqual([2, 7]);
    expect(codes('FailIndex')).toEqual([3, 5, 6]);
    for (const r of rules.filter((x) => x.onExitCodes)) expect(r.onExitCodes).toMatchObject({ containerName: container, operator: 'In' });
    expect(rules).toContainEqual({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] });
  });

  it('the consumer Deployment runs no more replicas than the topic has partitions, and the ConfigMap says how many it runs', () => {
    const data = one('ConfigMap').data as Record<string, string>;
    const replicas = one('Deployment').spec.replicas as number;
    expect(replicas).toBeGreaterThanOrEqual(1);
    expect(replicas).toBeLessThanOrEqual(Number(data.SETTLEMENT_TOPIC_PARTITIONS));
    expect(Number(data.CONSUMER_REPLICAS)).toBe(replicas);
  });

  it('the consumer Deployment probes /healthz and /readyz on its container port, bound to all interfaces', () => {
    const deployment = one('Deployment');
    const spec = podSpec(deployment);
    const [consumer] = spec.containers as Doc[];
    expect(consumer?.args).toEqual(['consume']);
    const port = consumer?.ports[0];
    expect(port.containerPort).toBe(Number(one('ConfigMap').data.METRICS_PORT));
    const resolve = (p: string | number) => (typeof p === 'number' ? p : consumer?.ports.find((x: Doc) => x.name === p)?.containerPort);
    expect(consumer?.livenessProbe.httpGet.path).toBe('/healthz');
    expect(resolve(consumer?.livenessProbe.httpGet.port)).toBe(port.containerPort);
    expect(consumer?.readinessProbe.httpGet.path).toBe('/readyz');
    expect(resolve(consumer?.readinessProbe.httpGet.port)).toBe(port.containerPort);
    expect(consumer?.env).toContainEqual({ name: 'METRICS_HOST', value: '0.0.0.0' });
    expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(one('ConfigMap').data.SHUTDOWN_TIMEOUT_MS));
    expect(consumer?.resources.limits.memory).toBe('512Mi');
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
  });

  it('every pod that stops on SIGTERM within SHUTDOWN_TIMEOUT_MS (consume, produce, replay) is given longer than that before SIGKILL', () => {
    const deadlineMs = Number(one('ConfigMap').data.SHUTDOWN_TIMEOUT_MS);
    for (const doc of [one('Deployment'), one('CronJob'), replayJob()])
      expect(podSpec(doc).terminationGracePeriodSeconds * 1000, doc.kind).toBeGreaterThan(deadlineMs);
  });

  it('the replay Job confirms non-interactively and the migrate Job migrates before creating topics', () => {
    const jobs = byKind('Job');
    const replay = jobs.find((j) => j.metadata.generateName === 'settle-replay-') as Doc;
    const args = podSpec(replay).containers[0].args as string[];
    expect(args.slice(0, 1)).toEqual(['replay']);
    for (const flag of ['--from', '--to', '--yes']) expect(args).toContain(flag);
    const migrate = jobs.find((j) => j.metadata.name === 'settle-migrate') as Doc;
    expect(containersOf(migrate).map((c) => c.args)).toEqual([
      ['db', 'migrate'],
      ['kafka', 'init'],
    ]);
    for (const j of jobs) expect(podSpec(j).restartPolicy).toBe('Never');
  });
});

describe('deploy/docker-compose.yml and crontab.example', () => {
  const [compose] = parse(root('deploy/docker-compose.yml'));
  const services = (compose?.services ?? {}) as Record<string, Doc>;

  it('has Kafka (KRaft), a schema registry, MariaDB 10.11 (the tested server), Prism on our spec, and the consumer built from the Dockerfile', () => {
    expect(services.kafka?.image).toMatch(/^apache\/kafka:4\.1/);
    expect(services.kafka?.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services['schema-registry']?.image).toMatch(/^(confluentinc\/cp-schema-registry|apicurio\/apicurio-registry)/);
    expect(services.mysql).toBeUndefined();
    expect(services.mariadb?.image).toBe('mariadb:10.11');
    expect(services.mariadb?.healthcheck.test).toEqual(['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized']);
    expect(services.mariadb?.command).toEqual(['--character-set-server=utf8mb4', '--collation-server=utf8mb4_bin']);
    expect(services.migrate?.depends_on).toEqual({ mariadb: { condition: 'service_healthy' } });
    expect(new URL(String(services.consumer?.environment.MYSQL_URL).replace(/\$\{[^}]+\}/g, 'x')).host).toBe('mariadb:3306');
    expect(services.prism?.image).toMatch(/^stoplight\/prism:5/);
    expect(services.prism?.command.join(' ')).toContain('toss-openapi.yaml');
    expect(services.migrate?.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
    expect(services.consumer?.command).toEqual(['consume']);
  });

  it('sets only known variables on the settle services', () => {
    const known = knownEnvNames();
    const settleServices = Object.entries(services).filter(([, s]) => s.image === 'settle:latest');
    expect(settleServices.map(([n]) => n).sort()).toEqual(['consumer', 'kafka-init', 'migrate', 'settle']);
    for (const [name, s] of settleServices) {
      const env = Object.keys(s.environment ?? {});
      expect(env.length, name).toBeGreaterThan(3);
      for (const v of env) expect(known, `${name}: ${v}`).toContain(v);
    }
  });

  it('publishes every port on the loopback interface only (a laptop on a shared network exposes nothing)', () => {
    const published = Object.entries(services).flatMap(([name, s]) => ((s.ports ?? []) as Array<string | Doc>).map((p) => ({ name, p })));
    expect(published.map((x) => x.name).sort()).toEqual(['consumer', 'kafka', 'mariadb', 'prism', 'schema-registry']);
    for (const { name, p } of published) {
      if (typeof p === 'string') expect(p, name).toMatch(/^127\.0\.0\.1:\d+:\d+(\/tcp)?$/);
      else expect(p.host_ip, name).toBe('127.0.0.1');
    }
  });

  it('keeps credentials out of the file: every password and the Toss key come from deploy/.env as ${VAR:?…}, and compose refuses to start without them', () => {
    const text = readFileSync(root('deploy/docker-compose.yml'), 'utf8');
    const required = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*):\?[^}]+\}/g)].map((m) => m[1] as string);
    expect([...new Set(required)].sort()).toEqual(['MARIADB_PASSWORD', 'MARIADB_ROOT_PASSWORD', 'TOSS_SECRET_KEY']);
    // no other interpolation form (a :- default would be a credential in the file)
    expect([...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] as string).filter((v) => !/^[A-Z][A-Z0-9_]*:\?/.test(v))).toEqual([]);
    const env = Object.values(services).flatMap((s) => Object.entries((s.environment ?? {}) as Record<string, unknown>));
    const secretish = env.filter(([k]) => /PASSWORD|SECRET/.test(k));
    expect(secretish.map(([k]) => k).sort()).toEqual(expect.arrayContaining(['MARIADB_PASSWORD', 'MARIADB_ROOT_PASSWORD', 'TOSS_SECRET_KEY']));
    for (const [k, v] of secretish) expect(String(v), k).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
    for (const [k, v] of env.filter(([k]) => k.endsWith('_URL'))) {
      const url = new URL(String(v).replace(/\$\{[^}]+\}/g, 'PLACEHOLDER'));
      if (url.password) expect(String(v), k).toMatch(/:\$\{MARIADB_PASSWORD:\?[^}]+\}@/);
    }
  });

  it('deploy/.env.example holds a placeholder for each variable compose requires, and deploy/.env is git-ignored (and kept out of the image context)', () => {
    const example = readFileSync(root('deploy/.env.example'), 'utf8');
    const vars = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(vars).sort()).toEqual(['MARIADB_PASSWORD', 'MARIADB_ROOT_PASSWORD', 'TOSS_SECRET_KEY']);
    for (const [k, v] of Object.entries(vars)) expect(v, k).toMatch(/REPLACE_ME/);
    expect(readFileSync(root('.gitignore'), 'utf8').split('\n')).toContain('deploy/.env');
    expect(readFileSync(root('.dockerignore'), 'utf8').split('\n')).toContain('deploy/.env');
  });

  it('the crontab runs produce in Seoul time and treats exits 0, 5 and 6 as success', () => {
    const text = readFileSync(root('deploy/crontab.example'), 'utf8');
    expect(text).toMatch(/^CRON_TZ=Asia\/Seoul$/m);
    const jobs = text.split('\n').filter((l) => /^\d/.test(l));
    expect(jobs.length).toBeGreaterThan(0);
    for (const line of jobs) {
      expect(line).toMatch(/^30 \d \* \* \* /);
      expect(line).toContain('settle produce');
      expect(line).toContain('0|5|6)');
    }
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(root('Dockerfile'), 'utf8');
  const runtime = text.slice(text.lastIndexOf('\nFROM ') + 1); // the stage the image runs
  const users = [...runtime.matchAll(/^USER\s+(\S+)\s*$/gm)].map((m) => m[1] as string);

  it('the runtime stage ends as a numeric non-root user (so runAsNonRoot can verify it), the uid every pod runs as', () => {
    expect(runtime).toMatch(/^FROM node:24-slim\s*$/m);
    expect(users.length).toBeGreaterThan(0);
    const [uid, gid] = (users.at(-1) as string).split(':');
    expect(uid).toMatch(/^[1-9]\d*$/);
    if (gid !== undefined) expect(gid).toMatch(/^[1-9]\d*$/);
    // nothing after the last USER line runs as someone else or drops into a root shell
    const afterUser = runtime.slice(runtime.lastIndexOf('\nUSER '));
    expect(afterUser).not.toMatch(/^(RUN|USER)\b.*\b(root|sudo|su)\b/m);
    expect(workloads()).toHaveLength(4);
    for (const w of workloads())
      expect(podSpec(w).securityContext, w.metadata.name ?? w.metadata.generateName).toMatchObject({ runAsNonRoot: true, runAsUser: Number(uid) });
  });
});
