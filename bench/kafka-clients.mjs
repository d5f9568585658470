// Kafka clients compared on settle's records (issue 19): kafkajs (as installed, i.e. patched; or any other copy)
// and @platformatic/kafka (a devDependency, measured only). For each client: a fresh topic (6 partitions), one
// child process produces N records (~330-byte Avro-like values, 32-char keys, settle's two headers, acks=all, no
// compression, ~900 KB produce calls one after another, murmur2 key partitioning as Java's and kafkajs's), another
// child consumes them back; each child reports its own process.cpuUsage() (user + system) per record and its rate,
// so one client's CPU never counts against another's. Topics and consumer groups are deleted at the end.
//
//   npm run build && node bench/kafka-clients.mjs [--records 300000] [--clients kafkajs,platformatic]
//     [--runs 1] [--brokers 127.0.0.1:9092] [--json]
//   a client entry kafkajs-<label>=<dir> loads kafkajs from <dir> (e.g. an unpatched copy of node_modules/kafkajs)
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { values: opt } = parseArgs({
  options: {
    records: { type: 'string', default: '300000' },
    clients: { type: 'string', default: 'kafkajs,platformatic' },
    runs: { type: 'string', default: '1' },
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    partitions: { type: 'string', default: '6' },
    json: { type: 'boolean', default: false },
    // child mode
    child: { type: 'string' }, // produce | consume
    client: { type: 'string' },
    topic: { type: 'string' },
  },
});
const N = Number(opt.records);
const brokers = opt.brokers.split(',');
const MAX_SEND_BYTES = 900 * 1024; // KafkaRecordSender's produce-call size
const RECORD_OVERHEAD_BYTES = 96; // as KafkaRecordSender counts
const VALUE_BYTES = 330;
const KEY_CHARS = 32;

/** A client entry: { name, kind: 'kafkajs' | 'platformatic', dir? }. */
function parseClient(entry) {
  const [name, dir] = entry.split('=');
  if (name.startsWith('kafkajs')) return { name, kind: 'kafkajs', dir: dir ? resolve(dir) : undefined };
  if (name.startsWith('platformatic')) return { name, kind: 'platformatic' };
  throw new Error(`unknown client ${entry} (kafkajs[-label[=dir]] or platformatic)`);
}

const loadKafkajs = (dir) => require(dir ?? 'kafkajs');

/** Records as settle's producer thread hands them to the client: key and value views into one buffer, shared headers. */
function records(n) {
  const hex = randomBytes(n * (KEY_CHARS / 2)).toString('hex');
  const values = randomBytes(n * VALUE_BYTES);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = { key: Buffer.from(hex.slice(i * KEY_CHARS, (i + 1) * KEY_CHARS)), value: values.subarray(i * VALUE_BYTES, (i + 1) * VALUE_BYTES) };
  }
  return out;
}

function* chunks(all) {
  let chunk = [];
  let bytes = 0;
  for (const r of all) {
    const size = r.key.length + r.value.length + RECORD_OVERHEAD_BYTES;
    if (chunk.length > 0 && bytes + size > MAX_SEND_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

const cpuNow = () => process.cpuUsage();
const cpuSince = (start) => {
  const d = process.cpuUsage(start);
  return d.user + d.system;
};

async function produceChild(client, topic) {
  const all = records(N);
  const executionId = Buffer.from('0b6f3f9e-8a3c-4d1e-9f5b-2c7d1e4a6b90');
  let send;
  let close;
  if (client.kind === 'kafkajs') {
    const partitionerPath = resolve(root, 'dist/infrastructure/kafka/murmur2-partitioner.js');
    if (!existsSync(partitionerPath)) throw new Error('dist/ is missing: npm run build first');
    const { Murmur2Partitioner } = await import(partitionerPath);
    const { Kafka, logLevel, CompressionTypes } = loadKafkajs(client.dir);
    const kafka = new Kafka({ clientId: 'bench-clients', brokers, logLevel: logLevel.NOTHING });
    // settle's producer settings (src/infrastructure/kafka/kafka-client.ts)
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 5, createPartitioner: Murmur2Partitioner });
    await producer.connect();
    send = (chunk, page) => {
      const headers = { 'settle-execution-id': executionId, 'settle-page': Buffer.from(String(page)) };
      return producer.send({
        topic,
        messages: chunk.map((r) => ({ key: r.key, value: r.value, headers })),
        acks: -1,
        timeout: 30_000,
        compression: CompressionTypes.None,
      });
    };
    close = () => producer.disconnect();
  } else {
    const { Producer, ProduceAcks, compatibilityPartitioner } = await import('@platformatic/kafka');
    // compatibilityPartitioner: murmur2(key) & 0x7fffffff, as Java and kafkajs (its default uses >>> 0)
    const producer = new Producer({
      clientId: 'bench-clients',
      bootstrapBrokers: brokers,
      acks: ProduceAcks.ALL,
      compression: 'none',
      idempotent: false,
      autocreateTopics: false,
      partitioner: compatibilityPartitioner,
    });
    await producer.metadata({ topics: [topic] });
    const headerExecution = Buffer.from('settle-execution-id');
    const headerPage = Buffer.from('settle-page');
    send = (chunk, page) => {
      const headers = new Map([
        [headerExecution, executionId],
        [headerPage, Buffer.from(String(page))],
      ]);
      return producer.send({ messages: chunk.map((r) => ({ topic, key: r.key, value: r.value, headers })), acks: ProduceAcks.ALL });
    };
    close = () => producer.close();
  }
  const cpu = cpuNow();
  const started = performance.now();
  let page = 0;
  for (const chunk of chunks(all)) await send(chunk, ++page);
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpuSince(cpu);
  await close();
  return {
    client: client.name,
    direction: 'produce',
    records: N,
    cpuUsPerRecord: round(cpuUs / N),
    recordsPerSec: Math.round(N / seconds),
    seconds: round(seconds),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function consumeChild(client, topic) {
  const groupId = `${topic}-group`;
  let received = 0;
  let firstAt = 0;
  let bytes = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const cpu = cpuNow();
  let close;
  if (client.kind === 'kafkajs') {
    const { Kafka, logLevel } = loadKafkajs(client.dir);
    const kafka = new Kafka({ clientId: 'bench-clients', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 1_048_576, maxBytes: 10_485_760, maxWaitTimeInMs: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (firstAt === 0) firstAt = performance.now();
        for (const m of batch.messages) bytes += m.key.length + m.value.length + m.headers['settle-page'].length;
        received += batch.messages.length;
        if (received >= N) done();
      },
    });
    close = () => consumer.disconnect();
  } else {
    const { Consumer } = await import('@platformatic/kafka');
    const consumer = new Consumer({ groupId, clientId: 'bench-clients', bootstrapBrokers: brokers, maxBytes: 10_485_760, maxWaitTime: 1_000 });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const pageHeader = Buffer.from('settle-page');
    stream.on('data', (m) => {
      if (firstAt === 0) firstAt = performance.now();
      let page = 0;
      for (const [k, v] of m.headers) if (pageHeader.equals(k)) page = v.length;
      bytes += m.key.length + m.value.length + page;
      received += 1;
      if (received === N) done();
    });
    close = async () => {
      await stream.close();
      await consumer.close(true);
    };
  }
  await finished;
  const seconds = (performance.now() - firstAt) / 1000;
  const cpuUs = cpuSince(cpu);
  await close();
  return {
    client: client.name,
    direction: 'consume',
    records: received,
    bytes,
    cpuUsPerRecord: round(cpuUs / N),
    recordsPerSec: Math.round(N / seconds),
    seconds: round(seconds),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const round = (x) => Math.round(x * 100) / 100;

function runChild(direction, client, topic) {
  const args = [
    '--child',
    direction,
    '--client',
    client.dir ? `${client.name}=${client.dir}` : client.name,
    '--topic',
    topic,
    '--records',
    String(N),
    '--brokers',
    opt.brokers,
  ];
  return new Promise((resolveRun, reject) => {
    const child = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolveRun(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`${direction} ${client.name} exited ${code}`)),
    );
  });
}

if (opt.child) {
  // an unpatched kafkajs copy (a kafkajs-<label>=<dir> client) warns TimeoutNegativeWarning on every connection (kafkajs#1751); dropped here so the output stays readable
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
    if (type !== 'TimeoutNegativeWarning') emitWarning(warning, ...rest);
  };
  const client = parseClient(opt.client);
  const result = opt.child === 'produce' ? await produceChild(client, opt.topic) : await consumeChild(client, opt.topic);
  console.log(JSON.stringify(result));
  process.exit(0);
}

const { Kafka, logLevel } = loadKafkajs();
const admin = new Kafka({ clientId: 'bench-clients-admin', brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
const clients = opt.clients.split(',').map(parseClient);
const results = [];
const created = [];
try {
  for (let run = 1; run <= Number(opt.runs); run++) {
    for (const client of clients) {
      const topic = `settle-bench-clients-${client.name.replace(/[^a-zA-Z0-9-]/g, '')}-${process.pid}-${run}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: Number(opt.partitions) }], waitForLeaders: true });
      created.push(topic);
      for (const direction of ['produce', 'consume']) {
        const r = { run, ...(await runChild(direction, client, topic)) };
        results.push(r);
        process.stderr.write(
          `run ${run} ${client.name.padEnd(20)} ${direction.padEnd(8)} ${String(r.cpuUsPerRecord).padStart(7)} µs/record CPU  ${String(r.recordsPerSec).padStart(8)} records/s  peak RSS ${r.peakRssMb} MB\n`,
        );
        if (opt.json) console.log(JSON.stringify(r));
      }
    }
  }
} finally {
  if (created.length > 0) await admin.deleteTopics({ topics: created }).catch((e) => process.stderr.write(`deleting topics failed: ${e.message}\n`));
  const groups = created.map((t) => `${t}-group`);
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.disconnect();
}
