import type { TestProject } from 'vitest/node';
import { faultStack } from './support/fault-stack.js';
import { initPrivateMariaDb } from './support/private-mariadb.js';
import { formatTable, readResults, RESULTS_FILE } from './support/results.js';
import { rmSync } from 'node:fs';

/**
 * Once per suite run: a fresh private MariaDB (its own port and data directory), an empty results file; at
 * the end, the table of every scenario (also written next to the results) and its verdict.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  rmSync(RESULTS_FILE, { force: true });
  const db = await initPrivateMariaDb(faultStack.mysqlDir, faultStack.mysqlPort);
  project.provide('faultsMysql', db.info);
  return async () => {
    await db.stop('SIGTERM').catch(() => db.stop('SIGKILL'));
    const results = readResults();
    const failed = results.filter((r) => r.result !== 'PASS');
    process.stdout.write(`\n\nFault suite (${process.env.FAULTS_PROFILE ?? 'reduced'} profile)\n\n${formatTable(results)}\n`);
    for (const r of results) if (r.notes) process.stdout.write(`- ${r.scenario}: ${r.notes}\n`);
    process.stdout.write(
      `\n${results.length - failed.length} of ${results.length} scenarios passed; lost ${results.reduce((a, r) => a + r.lost, 0)}, duplicated ${results.reduce((a, r) => a + r.duplicated, 0)}\n`,
    );
    if (failed.length > 0) process.exitCode = 1;
  };
}
