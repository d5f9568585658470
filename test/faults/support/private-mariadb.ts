import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';

const run = promisify(execFile);
const MARIADBD = process.env.FAULTS_MARIADBD ?? '/usr/sbin/mariadbd';
const INSTALL_DB = process.env.FAULTS_MARIADB_INSTALL_DB ?? 'mariadb-install-db';

/**
 * A MariaDB server of the suite's own (own port, data directory, socket and pid file), so the suite can
 * restart or kill it mid-run without touching the machine's shared server. Controlled through its pid file,
 * so any test process can stop and start it. The application connects as `settle` with a password, so the
 * suite can also prove that the password never reaches a log line.
 */
export interface PrivateMariaDbInfo {
  readonly dir: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

export class PrivateMariaDb {
  constructor(readonly info: PrivateMariaDbInfo) {}

  get port(): number {
    return this.info.port;
  }
  get password(): string {
    return this.info.password;
  }
  /** mysql://settle:…@127.0.0.1:port/<database>; `port` routes through a proxy. */
  url(database: string, port = this.info.port): string {
    return `mysql://${this.info.user}:${encodeURIComponent(this.info.password)}@127.0.0.1:${port}/${database}`;
  }
  adminUrl(database = ''): string {
    return `mysql://root@127.0.0.1:${this.info.port}/${database}`;
  }

  private pid(): number | null {
    const file = join(this.info.dir, 'mysqld.pid');
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').trim());
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return null;
    }
  }

  running(): boolean {
    return this.pid() !== null;
  }

  async start(): Promise<void> {
    if (!this.running()) {
      const { dir, port } = this.info;
      const child = spawn(
        MARIADBD,
        [
          '--no-defaults',
          `--datadir=${join(dir, 'data')}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${join(dir, 'mysqld.sock')}`,
          `--pid-file=${join(dir, 'mysqld.pid')}`,
          `--log-error=${join(dir, 'error.log')}`,
          '--innodb-buffer-pool-size=256M',
          '--innodb-log-file-size=256M',
          '--innodb-lock-wait-timeout=5',
          '--max-connections=300',
          '--skip-log-bin',
          ...(process.getuid?.() === 0 ? ['--user=root'] : []),
        ],
        { stdio: 'ignore', detached: true },
      );
      child.unref();
    }
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        const conn = await mysql.createConnection({ uri: this.adminUrl(), connectTimeout: 2_000 });
        await conn.end();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`private MariaDB on ${this.info.port} did not start (see ${this.info.dir}/error.log)`, { cause: error });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** SIGTERM (clean shutdown) or SIGKILL (a crash: InnoDB recovers on the next start); waits until it is gone. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const pid = this.pid();
    if (pid === null) return;
    process.kill(pid, signal);
    const deadline = Date.now() + 120_000;
    while (this.pid() !== null) {
      if (Date.now() > deadline) throw new Error(`private MariaDB (pid ${pid}) did not stop`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A fresh data directory, the server started, and the application's user created. */
export async function initPrivateMariaDb(dir: string, port: number): Promise<PrivateMariaDb> {
  await new PrivateMariaDb({ dir, port, user: 'settle', password: 'x' }).stop('SIGKILL'); // left over from an interrupted run
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await run(INSTALL_DB, ['--no-defaults', `--datadir=${join(dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db'], {
    timeout: 120_000,
  });
  const db = new PrivateMariaDb({ dir, port, user: 'settle', password: `faultPw-${Math.random().toString(36).slice(2, 12)}` });
  await db.start();
  const admin = await mysql.createConnection({ uri: db.adminUrl() });
  try {
    await admin.query(`CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?`, [db.info.user, db.info.password]);
    await admin.query(`GRANT ALL PRIVILEGES ON *.* TO ?@'%'`, [db.info.user]);
  } finally {
    await admin.end();
  }
  return db;
}
