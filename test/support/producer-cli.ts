import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'settle.js');

export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npx tsc -p tsconfig.build.json` before the e2e tests');
}

/** Settings the CLI reads from the environment; the e2e tests decide every one of them. */
const SETTLE_ENV = /^(TOSS_|KAFKA_|SCHEMA_REGISTRY_|MYSQL_|SETTLEMENT_|LOG_LEVEL$|CONSUMER_|PAYOUT_|HOLIDAY_|METRICS_|SHUTDOWN_)/;

export function cleanEnv(env: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !SETTLE_ENV.test(k))) as Record<string, string>;
  return { ...base, ...env };
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
}

/** Starts the built binary the way cron does: `node bin/settle.js …`, its own process, real exit code. */
export function startSettle(args: readonly string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export async function runSettle(args: readonly string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliRun> {
  const { child, done } = startSettle(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/** Throws if the key, or the Basic credentials made from it, appear anywhere in the output. */
export function assertSecretNotPrinted(run: CliRun, secretKey: string): CliRun {
  const forms = [secretKey, Buffer.from(`${secretKey}:`).toString('base64'), Buffer.from(secretKey).toString('base64')];
  for (const form of forms)
    for (const [name, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const)
      if (text.includes(form)) throw new Error(`the secret key leaked into ${name}:\n${text}`);
  return run;
}
