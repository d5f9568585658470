import { createHash } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import type { ExecutionKind, ExecutionStatus, JobExecution } from '../../domain/batch/job-execution.js';

/** DATETIME(3) strings are UTC (session time zone +00:00): shown as ISO instants. */
export const utcIso = (v: unknown): string => (typeof v === 'string' ? `${v.replace(' ', 'T')}Z` : '');

export function toJobExecution(r: RowDataPacket): JobExecution {
  return {
    id: Number(r.id),
    instanceId: Number(r.instance_id),
    kind: r.kind as ExecutionKind,
    shard: r.shard == null ? 0 : Number(r.shard),
    shards: r.shards == null ? 1 : Number(r.shards),
    replayOf: r.replay_of === null ? null : Number(r.replay_of),
    status: r.status as ExecutionStatus,
    startedAt: utcIso(r.started_at),
    endedAt: r.ended_at === null ? null : utcIso(r.ended_at),
    heartbeatAt: utcIso(r.heartbeat_at),
    lastPage: Number(r.last_page),
    pageSize: r.page_size == null ? null : Number(r.page_size),
    counts: { pages: Number(r.pages), rowsFetched: Number(r.rows_fetched), rowsPublished: Number(r.rows_published), rowsRejected: Number(r.rows_rejected) },
    lastError: r.last_error ?? null,
    host: r.host ?? null,
    pid: r.pid === null ? null : Number(r.pid),
  };
}

/**
 * The named lock that claims one worker of a job instance (worker 0 keeps the name an unsharded run always had).
 * MySQL named locks are server-wide, so the name carries the schema (hashed to stay under the 64-character
 * limit): two databases on one server never share a claim.
 */
export async function jobLockName(conn: { query: (sql: string) => Promise<unknown> }, instanceId: number, shard = 0): Promise<string> {
  const [rows] = (await conn.query('SELECT DATABASE() AS db')) as [Array<{ db: string | null }>];
  const db = rows[0]?.db ?? '';
  return `settle.job.${createHash('sha1').update(db).digest('hex').slice(0, 16)}.${instanceId}${shard === 0 ? '' : `.${shard}`}`;
}
