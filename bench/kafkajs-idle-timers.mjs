// kafkajs issue #1751 on Node ≥ 23: does an idle, connected kafkajs client keep a 1 ms timer alive?
// One process per run: connect a producer (one send, so each connection has had a response) or a consumer
// (subscribed, no traffic), then idle for --seconds and report timers armed with a delay < 1 ms, timer callbacks
// and the process's CPU (process.cpuUsage, user + system) over the idle window.
//   node bench/kafkajs-idle-timers.mjs --role producer|consumer [--kafkajs DIR] [--seconds 10] [--silence-warning]
//     [--brokers 127.0.0.1:9092]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';

const { values: opt } = parseArgs({
  options: {
    role: { type: 'string', default: 'producer' },
    kafkajs: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    // drop TimeoutNegativeWarning before Node builds it (an unpatched kafkajs warns on every connection, kafkajs#1751)
    'silence-warning': { type: 'boolean', default: false },
  },
});
const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require(opt.kafkajs ? resolve(opt.kafkajs) : 'kafkajs');

let armed = 0;
let negative = 0;
let fired = 0;
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = (fn, ms, ...args) => {
  armed += 1;
  if (typeof ms === 'number' && ms < 1) negative += 1;
  return realSetTimeout(
    (...a) => {
      fired += 1;
      fn(...a);
    },
    ms,
    ...args,
  );
};
process.removeAllListeners('warning'); // TimeoutNegativeWarning: counted above
if (opt['silence-warning']) {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
    if (type !== 'TimeoutNegativeWarning') emitWarning(warning, ...rest);
  };
}

const kafka = new Kafka({ clientId: 'idle-probe', brokers: opt.brokers.split(','), logLevel: logLevel.NOTHING });
const topic = `settle-idle-probe-${process.pid}`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
let client;
if (opt.role === 'producer') {
  client = kafka.producer();
  await client.connect();
  await client.send({ topic, messages: [{ key: 'k', value: 'v' }], acks: -1 });
} else {
  client = kafka.consumer({ groupId: `${topic}-group` });
  await client.connect();
  await client.subscribe({ topics: [topic], fromBeginning: true });
  await client.run({ eachMessage: async () => undefined });
  await new Promise((r) => realSetTimeout(r, 5000)); // joined and fetching
}
const before = { armed, negative, fired, cpu: process.cpuUsage() };
await new Promise((r) => realSetTimeout(r, Number(opt.seconds) * 1000));
const cpu = process.cpuUsage(before.cpu);
const result = {
  role: opt.role,
  kafkajs: opt.kafkajs ?? 'kafkajs',
  silenceWarning: opt['silence-warning'],
  seconds: Number(opt.seconds),
  timersArmed: armed - before.armed,
  negativeDelayTimers: negative - before.negative,
  timerCallbacks: fired - before.fired,
  cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  cpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / Number(opt.seconds)) * 1000) / 10,
};
await client.disconnect();
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
if (opt.role === 'consumer') await admin.deleteGroups([`${topic}-group`]).catch(() => undefined);
await admin.disconnect();
console.log(JSON.stringify(result));
