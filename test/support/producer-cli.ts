import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/** Every process startSettle started that has not closed yet (see stopStrays). */
const live = new Set<RunningCli>();

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
  const run = { child, done };
  live.add(run);
  void done.finally(() => live.delete(run)).catch(() => undefined);
  return run;
}

/**
 * SIGKILLs every process started here that is still running (also a stopped one) and waits until each has
 * exited: for afterEach, so a failed test never leaves a run holding a claim for the next one.
 */
export async function stopStrays(): Promise<void> {
  const strays = [...live];
  for (const run of strays) run.child.kill('SIGKILL');
  await Promise.allSettled(strays.map((run) => run.done));
}

/**
 * Waits for `state` (a promise the test resolves on an observed state: a held page reached, a row written)
 * while `run` is alive; if the process exits first, fails at once with its output instead of waiting on.
 */
export async function whileRunning<T>(run: RunningCli, state: Promise<T>, what: string): Promise<T> {
  const exited = run.done.then((r) => {
    throw new Error(`the process exited (code ${r.code}, signal ${r.signal}) before ${what}:\n${r.stderr.slice(-4000)}`);
  });
  return Promise.race([state, exited]);
}

/** The process state letter from /proc (R running, S sleeping, T stopped, Z zombie…); null once it is gone. */
const procState = (pid: number): string | null => {
  try {
    return /^\d+ \(.*\) (\S)/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
};

/**
 * Freezes the process (SIGSTOP) and returns once the kernel shows it stopped: a hung process that still
 * holds its connections (and so its claim) but runs no timer, beats no heartbeat and writes nothing.
 */
export async function freeze(run: RunningCli): Promise<void> {
  const pid = run.child.pid;
  if (pid === undefined || !run.child.kill('SIGSTOP')) throw new Error('cannot stop a process that is not running');
  for (;;) {
    const state = procState(pid);
    if (state === 'T') return;
    if (state === null || state === 'Z') throw new Error(`process ${pid} exited instead of stopping`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lets a frozen process run again (SIGCONT). */
export function thaw(run: RunningCli): void {
  run.child.kill('SIGCONT');
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
    for (const [name, text] of [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
    ] as const)
      if (text.includes(form)) throw new Error(`the secret key leaked into ${name}:\n${text}`);
  return run;
}
