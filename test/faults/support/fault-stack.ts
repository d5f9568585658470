import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from '../../support/producer-cli.js';

const run = promisify(execFile);

/**
 * The suite's own Kafka broker and registry (scripts/test-faults.sh starts them from scripts/stack.sh with a
 * private STACK_DIR and ports, the registry on a file-backed store so a restart keeps schema ids). Stopping
 * and starting them is the fault; the environment those scripts read is the suite's.
 */
export const faultStack = {
  brokers: process.env.FAULTS_KAFKA_BROKERS ?? '127.0.0.1:19092',
  /** The broker's second listener, reached through the suite's TCP proxy (it advertises the proxy's port). */
  proxiedListener: Number(process.env.KAFKA_PROXIED_PORT ?? '19095'),
  proxiedAdvertised: Number(process.env.KAFKA_PROXIED_ADVERTISED_PORT ?? '19094'),
  registryUrl: process.env.FAULTS_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7',
  mysqlPort: Number(process.env.FAULTS_MYSQL_PORT ?? '13306'),
  mysqlDir: process.env.FAULTS_MYSQL_DIR ?? `${ROOT}.stack-faults/mariadb`,
};

async function stack(command: 'up' | 'down', service: 'kafka' | 'registry'): Promise<void> {
  await run('bash', [`${ROOT}scripts/stack.sh`, command, service], { cwd: ROOT, env: process.env, timeout: 180_000 });
}

export const stopService = (service: 'kafka' | 'registry') => stack('down', service);
export const startService = (service: 'kafka' | 'registry') => stack('up', service);
