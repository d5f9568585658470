#!/usr/bin/env node
// Health check used by scripts/stack.sh: a real Kafka request (Metadata via admin.describeCluster).
// Usage: node scripts/stack/kafka-check.cjs 127.0.0.1:9092 [timeoutMs]
// Prints "<clusterId> brokers=<n> controller=<id>" and exits 0, or prints the error and exits 1.
'use strict';
let kafkajs;
try {
  kafkajs = require('kafkajs');
} catch {
  console.log('kafkajs not installed');
  process.exit(3);
}
const { Kafka, logLevel } = kafkajs;
const broker = process.argv[2] || '127.0.0.1:9092';
const timeoutMs = Number(process.argv[3] || 5000);

const timer = setTimeout(() => {
  console.log(`timed out after ${timeoutMs} ms`);
  process.exit(1);
}, timeoutMs);

(async () => {
  const kafka = new Kafka({
    clientId: 'settle-stack-check',
    brokers: [broker],
    connectionTimeout: 2000,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const c = await admin.describeCluster();
    console.log(`${c.clusterId} brokers=${c.brokers.length} controller=${c.controller}`);
    await admin.disconnect();
    clearTimeout(timer);
    process.exit(0);
  } catch (e) {
    console.log(`${e && e.name}: ${e && e.message}`);
    clearTimeout(timer);
    process.exit(1);
  }
})();
