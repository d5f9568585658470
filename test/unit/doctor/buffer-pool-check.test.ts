import { describe, expect, it } from 'vitest';
import { bufferPoolResult } from '../../../src/infrastructure/health/buffer-pool-check.js';
import { passed } from '../../../src/infrastructure/health/health-check.js';
import { doctorExitCode, renderDoctor } from '../../../src/presentation/cli/commands/doctor-command.js';

const MIB_128 = 134_217_728; // MariaDB's default innodb_buffer_pool_size

describe('doctor: the buffer pool check (EXPECTED_ROWS_PER_DAY)', () => {
  it('passes while the pool holds the day: 230 × rows × 2 hot days × 1.25 ≤ the server\'s size', () => {
    // 230 × 233,422 × 2 × 1.25 = 134,217,650 bytes ≤ 134,217,728
    const r = bufferPoolResult(MIB_128, 233_422);
    expect(r).toEqual({
      name: 'buffer pool',
      ok: true,
      detail:
        'innodb_buffer_pool_size is 128 MiB (134,217,728 bytes); EXPECTED_ROWS_PER_DAY=233,422 needs 128 MiB ' +
        "(134,217,650 bytes = 230 index bytes/row × 233,422 rows × 2 hot days × 1.25 headroom): the day's indexes fit",
      fix: '',
    });
  });

  it('warns one row past it, naming both sizes, the inputs and the fix, as a pass', () => {
    // 230 × 233,423 × 2 × 1.25 = 134,218,225 bytes > 134,217,728
    const r = bufferPoolResult(MIB_128, 233_423);
    expect(r).toMatchObject({ name: 'buffer pool', ok: true, warning: true });
    expect(r.detail).toContain('innodb_buffer_pool_size is 128 MiB (134,217,728 bytes); EXPECTED_ROWS_PER_DAY=233,423 needs 128 MiB (134,218,225 bytes');
    expect(r.detail).toContain('230 index bytes/row × 233,423 rows × 2 hot days × 1.25 headroom');
    expect(r.detail).toContain("the day's index pages will outgrow the pool");
    expect(r.fix).toMatch(/^raise innodb_buffer_pool_size to 256M or more/);
    expect(r.fix).toContain('lower EXPECTED_ROWS_PER_DAY');
    expect(r.fix).toContain('--hot-days 1');
  });

  it('a 100M-row day on the default pool: 53.6 GiB needed, set 54G', () => {
    const r = bufferPoolResult(MIB_128, 100_000_000);
    expect(r.warning).toBe(true);
    expect(r.detail).toContain('needs 53.6 GiB (57,500,000,000 bytes = 230 index bytes/row × 100,000,000 rows × 2 hot days × 1.25 headroom)');
    expect(r.fix).toMatch(/^raise innodb_buffer_pool_size to 54G or more/);
    expect(bufferPoolResult(64 * 1024 ** 3, 100_000_000)).toMatchObject({ ok: true, fix: '' });
  });

  it('never changes the exit code, and is shown as WARN with its fix', () => {
    const results = [passed('configuration', 'fine'), bufferPoolResult(MIB_128, 1_000_000_000)];
    expect(doctorExitCode(results)).toBe(0);
    const lines = renderDoctor(results, 0);
    expect(lines[1]).toMatch(/^WARN {2}buffer pool {4}innodb_buffer_pool_size is 128 MiB/);
    expect(lines[2]).toMatch(/^ {21}fix: raise innodb_buffer_pool_size to 536G or more/);
    expect(lines.at(-1)).toBe('all 2 checks passed (1 with a warning)');
  });
});
