import { readFileSync } from 'node:fs';
import { fromPackageRoot } from './infrastructure/package-root.js';
import { runCli } from './presentation/cli/run-cli.js';

// The only place that exits the process. SIGTERM/SIGINT abort the signal; commands wind down and return.
const { version } = JSON.parse(readFileSync(fromPackageRoot('package.json'), 'utf8')) as { version: string };

const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) process.exit(130); // a second Ctrl-C means "now"
  process.stderr.write(`settle: ${name} received, shutting down\n`);
  controller.abort(name);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

const { code, logger } = await runCli({ argv: process.argv, env: process.env, version, signal: controller.signal });
logger?.flush();
// Give async log transports a moment to drain, then exit even if a client left a timer behind.
setTimeout(() => process.exit(code), logger ? 50 : 0).unref();
process.exitCode = code;
