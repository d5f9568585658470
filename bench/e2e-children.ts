import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { cpus } from 'node:os';
import { fromPackageRoot } from '../src/infrastructure/package-root.js';

/** The built CLI, as a shell user runs it (bin/ of the package root, wherever this module was compiled to). */
export const SETTLE_BIN = fromPackageRoot('bin', 'settle.js');

/** The pid and its descendants (bin/settle.js may re-exec Node with heap flags: the work is then in a child). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i] ?? 0;
    try {
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone
    }
  }
  return out;
}

/** VmHWM (peak resident set) in kB of one process, null once it is gone. */
export function vmHwmKb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The inodes of the sockets process `pid` holds open (none once it is gone, or when its descriptors are not ours to read). */
function socketInodes(pid: number | string): string[] {
  const inodes: string[] = [];
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m?.[1]) inodes.push(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // gone
  }
  return inodes;
}

/** Every TCP socket in LISTEN state on this machine (/proc/net/tcp{,6}): its local port and its inode. */
function tcpListeners(): Array<{ readonly port: number; readonly inode: string }> {
  const listeners: Array<{ port: number; inode: string }> = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (f[3] === '0A' && f[9]) listeners.push({ port: parseInt(f[1]?.split(':')[1] ?? '0', 16), inode: f[9] });
    }
  }
  return listeners;
}

/** TCP ports the processes listen on (their socket inodes matched against /proc/net/tcp{,6} in LISTEN state). */
export function listeningPorts(pids: readonly number[]): number[] {
  const inodes = new Set(pids.flatMap(socketInodes));
  return tcpListeners()
    .filter((l) => inodes.has(l.inode))
    .map((l) => l.port);
}

/**
 * The pid of the process on this machine listening on TCP `port` (the stack's Kafka broker, say), or null when none
 * is, or its file descriptors cannot be read (another user's process).
 */
export function listenerPid(port: number): number | null {
  const inodes = new Set(tcpListeners().flatMap((l) => (l.port === port ? [l.inode] : [])));
  if (inodes.size === 0) return null;
  for (const entry of readdirSync('/proc')) if (/^\d+$/.test(entry) && socketInodes(entry).some((i) => inodes.has(i))) return Number(entry);
  return null;
}

/** CPU ms (user + system, all its threads) process `pid` has used so far, from /proc/<pid>/stat; null once gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the fields after the command name (which may hold spaces, so split after its closing parenthesis); utime and
    // stime are fields 14 and 15 of the file (11 and 12 after the name), in clock ticks of 1/100 s on Linux
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

/** A reading of the machine's CPU counters: ms busy and stolen since boot, over how many cores. */
export interface MachineReading {
  readonly busyMs: number;
  readonly stealMs: number;
  readonly cores: number;
}

/**
 * CPU ms every core of this machine has spent busy since boot (user, nice, system, irq, softirq and steal of
 * /proc/stat's `cpu` line, in ticks of 1/100 s: idle and iowait left out), of which steal (time the hypervisor gave
 * this virtual machine's cores to someone else), how many cores there are, and when it was read (performance.now()
 * ms); null where /proc/stat cannot be read. Two readings bracket a run: what the whole machine spent on it, whoever
 * spent it, and how much of the cores' time that was.
 */
export function machineBusyMs(): (MachineReading & { readonly atMs: number }) | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [label, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/);
    if (label !== 'cpu') return null;
    const ticks = [user, nice, system, irq, softirq, steal].reduce((sum, v) => sum + Number(v ?? 0), 0);
    // steal is one of the summed fields: a finite sum means a finite steal
    return Number.isFinite(ticks) ? { busyMs: ticks * 10, stealMs: Number(steal ?? 0) * 10, cores: cpus().length, atMs: performance.now() } : null;
  } catch {
    return null;
  }
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Highest VmHWM (kB) read from the process tree so far: a high-water mark, not a sample. */
  peakKb(): number;
  /** Every pid seen in its process tree (bin/settle.js may re-exec). */
  pids(): number[];
  stdout(): string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  running(): boolean;
  /** The exit code (or signal name) once exited, else null. */
  exitCode(): number | string | null;
}

/**
 * Starts `settle ARGS` as a shell user runs it. nice > 0 starts it through nice(1) at that scheduling priority: the
 * whole process (every thread Node starts, and the image bin/settle.js may exec) runs below the others on shared cores.
 */
export function startChild(name: string, args: readonly string[], env: Record<string, string>, onStderr: (line: string) => void, nice = 0): Child {
  const settleArgs = [SETTLE_BIN, ...args];
  const [file, argv] = nice > 0 ? ['nice', ['-n', String(nice), process.execPath, ...settleArgs]] : [process.execPath, settleArgs];
  const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start settle ${args[0] ?? ''}`);
  const pid = child.pid;
  let out = '';
  let peak = 0;
  const seen = new Set<number>([pid]);
  let alive = true;
  let code: number | string | null = null;
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  let partial = '';
  child.stderr?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onStderr(l);
  });
  const sample = () => {
    for (const p of processTree(pid)) {
      seen.add(p);
      peak = Math.max(peak, vmHwmKb(p) ?? 0);
    }
  };
  const timer = setInterval(sample, 250);
  sample();
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (c, signal) => {
      alive = false;
      clearInterval(timer);
      code = c ?? signal ?? -1;
      resolve(code);
    }),
  );
  return { name, process: child, pid, peakKb: () => peak, pids: () => [...seen], stdout: () => out, exited, running: () => alive, exitCode: () => code };
}

/** The last line of stdout that parses as a JSON object (settle --json prints its summary last). */
export function lastJson<T>(stdout: string): T | null {
  const lines = stdout.trim().split('\n').reverse();
  for (const l of lines) {
    try {
      const v: unknown = JSON.parse(l);
      if (v && typeof v === 'object') return v as T;
    } catch {
      // not JSON
    }
  }
  return null;
}

/** Polls `check` every `everyMs` until it returns a value (a check that throws counts as no value yet), the child exits, `failed` names a failure, or `signal` aborts. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null>,
  o: { everyMs: number; child?: Child; failed?: () => string | null; signal?: AbortSignal; timeoutMs: number },
): Promise<T> {
  const deadline = performance.now() + o.timeoutMs;
  for (;;) {
    if (o.signal?.aborted) throw new Error(`interrupted while waiting for ${what}`);
    const v = await check().catch(() => null);
    if (v !== null) return v;
    const failure = o.failed?.() ?? null;
    if (failure !== null) throw new Error(`${failure} while waiting for ${what}`);
    if (o.child && !o.child.running()) throw new Error(`settle ${o.child.name} exited (${String(await o.child.exited)}) while waiting for ${what}`);
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what} after ${Math.round(o.timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, o.everyMs));
  }
}

/** The consumer's own ready state: finds its metrics port (METRICS_PORT=0) and asks /readyz. */
export async function consumerReady(child: Child): Promise<string | null> {
  for (const port of listeningPorts(processTree(child.pid))) {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
    if (res?.status === 200) return `http://127.0.0.1:${port}`;
    await res?.body?.cancel();
  }
  return null;
}
