import { startSettle, type CliRun, type RunningCli } from '../../support/producer-cli.js';

/**
 * `settle consume` the way its Deployment runs it: long-running, restarted when it exits 4 (a transient
 * failure: Kubernetes restarts the container) or when the suite SIGKILLs it. Any other exit is a failure the
 * scenario reports, and so is an exit 4 past `maxRestarts` (a crash loop is a failure, not a recovery).
 */
export class SupervisedConsumer {
  readonly runs: CliRun[] = [];
  /** Restarts after an exit 4 (the process gave up on its own). */
  restarts = 0;
  /** Restarts after the suite's own SIGKILL (the fault, not a reaction to it). */
  kills = 0;
  /** Everything every run printed on stderr so far, live. */
  log = '';
  failure: CliRun | null = null;
  private current: RunningCli | null = null;
  private stopping = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly args: readonly string[],
    private readonly env: Record<string, string>,
    private readonly restartAfterKill = true,
    private readonly maxRestarts = Number.POSITIVE_INFINITY,
  ) {
    this.loop = this.supervise();
  }

  private async supervise(): Promise<void> {
    for (;;) {
      const running = startSettle(['consume', ...this.args], this.env);
      this.current = running;
      running.child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
      const run = await running.done;
      this.runs.push(run);
      if (this.stopping) return;
      if (run.signal === 'SIGKILL' && this.restartAfterKill) {
        this.kills += 1;
        continue;
      }
      if (run.code === 4 && this.restarts < this.maxRestarts) {
        this.restarts += 1;
        await new Promise((r) => setTimeout(r, 1_000)); // the container's restart back-off, shortened
        continue;
      }
      if (run.signal !== 'SIGKILL') this.failure = run;
      if (run.code === 4) this.restarts += 1; // the one past the bound: counted, not restarted
      return;
    }
  }

  /** SIGKILL of the running process (the supervisor starts a new one). */
  kill(): void {
    this.current?.child.kill('SIGKILL');
  }

  pid(): number | undefined {
    return this.current?.child.pid;
  }

  alive(): boolean {
    return this.current !== null && this.current.child.exitCode === null && this.current.child.signalCode === null;
  }

  /** SIGTERM and the exit it produced (null if the process had already stopped for good). */
  async stop(): Promise<CliRun | null> {
    this.stopping = true;
    if (!this.alive()) {
      await this.loop;
      return null;
    }
    this.current?.child.kill('SIGTERM');
    await this.loop;
    return this.runs.at(-1) ?? null;
  }
}
