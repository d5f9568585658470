import { describe, expect, it } from 'vitest';
import { bufferPoolResult } from '../../../src/infrastructure/health/buffer-pool-check.js';
import { passed } from '../../../src/infrastructure/health/health-check.js';
import { doctorExitCode, renderDoctor } from '../../../src/presentation/cli/commands/doctor-command.js';

const MIB_128 = 134_217_728; // MariaDB's default innodb_buffer_pool_size

describe('doctor: the buffer pool check (EXPECTED_ROWS_PER_DAY)', () => {
  it("passes while the pool holds the day: 178 × rows × 1 hot day × 1.25 ≤ the server's size", () => {
    // 178 × 603,225 = 107,374,050; × 1.25 = 134,217,562.5 → 134,217,563 bytes ≤ 134,217,728
    const r = bufferPoolResult(MIB_128, 603_225);
    expect(r).toEqual({
      name: 'buffer pool',
      ok: true,
      detail:
        'innodb_buffer_pool_size is 128 MiB (134,217,728 bytes); EXPECTED_ROWS_PER_DAY=603,225 needs 128 MiB ' +
        "(134,217,563 bytes = 178 index bytes/row × 603,225 rows × 1 hot day × 1.25 headroom): the day's indexes fit",
      fix: '',
    });
  });

  it('warns one row past it, naming both sizes, the inputs and the fix, as a pass', () => {
    // 178 × 603,226 = 107,374,228; × 1.25 = 134,217,785 bytes > 134,217,728
    const r = bufferPoolResult(MIB_128, 603_226);
    expect(r).toMatchObject({ name: 'buffer pool', ok: true, warning: true });
    expect(r.detail).toContain('innodb_buffer_pool_size is 128 MiB (134,217,728 bytes); EXPECTED_ROWS_PER_DAY=603,226 needs 128 MiB (134,217,785 bytes');
    expect(r.detail).toContain('178 index bytes/row × 603,226 rows × 1 hot day × 1.25 headroom');
    expect(r.detail).toContain("the day's index pages will outgrow the pool");
    expect(r.fix).toMatch(/^raise innodb_buffer_pool_size to 256M or more/);
    expect(r.fix).toContain('lower EXPECTED_ROWS_PER_DAY');
    expect(r.fix).toContain('`settle plan --rows N --hot-days 2` shows the need when replays or late rows of the previous day run during the load');
  });

  it('a 100M-row day on the default pool: 20.7 GiB needed, set 21G', () => {
    const r = bufferPoolResult(MIB_128, 100_000_000);
    expect(r.warning).toBe(true);
    expect(r.detail).toContain('needs 20.7 GiB (22,250,000,000 bytes = 178 index bytes/row × 100,000,000 rows × 1 hot day × 1.25 headroom)');
    expect(r.fix).toMatch(/^raise innodb_buffer_pool_size to 21G or more/);
    // the setting it names holds the day (21 GiB = 22,548,578,304 bytes); 20 GiB (21,474,836,480) does not
    expect(bufferPoolResult(21 * 1024 ** 3, 100_000_000)).toMatchObject({ ok: true, fix: '' });
    expect(bufferPoolResult(20 * 1024 ** 3, 100_000_000)).toMatchObject({ ok: true, warning: true });
  });

  it('never changes the exit code, and is shown as WARN with its fix', () => {
    const results = [passed('configuration', 'fine'), bufferPoolResult(MIB_128, 1_000_000_000)];
    expect(doctorExitCode(results)).toBe(0);
    const lines = renderDoctor(results, 0);
    expect(lines[1]).toMatch(/^WARN {2}buffer pool {4}innodb_buffer_pool_size is 128 MiB/);
    expect(lines[2]).toMatch(/^ {21}fix: raise innodb_buffer_pool_size to 208G or more/);
    expect(lines.at(-1)).toBe('all 2 checks passed (1 with a warning)');
  });
});
