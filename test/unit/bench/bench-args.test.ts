import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchUsage } from '../../../bench/bench-args.js';

const run = promisify(execFile);

describe('the benches’ command line', () => {
  it('lists every flag with its value and default', () => {
    const text = benchUsage('npm run bench --', {
      rows: { type: 'string', default: '500000' },
      'day-rows': { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      backlog: { type: 'boolean', default: true },
    });
    expect(text.split('\n')).toEqual([
      'usage: npm run bench -- [flags]',
      '  --rows <rows> (default "500000")',
      '  --day-rows <day-rows>',
      '  --env <env> …',
      '  --json',
      '  --backlog (default true)',
      'flags, report fields and figures: docs/performance.md',
    ]);
  });

  describe('as a bench runs it', () => {
    // a bench-shaped script over the real helper, run as its own process: --help and a wrong flag end the process
    let dir = '';
    let script = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bench-args-'));
      script = join(dir, 'bench.mts');
      const helper = new URL('../../../bench/bench-args.ts', import.meta.url).pathname;
      await writeFile(
        script,
        `import { benchArgs } from ${JSON.stringify(helper)};\n` +
          `const args = benchArgs('npm run bench --', { rows: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } });\n` +
          `console.log(JSON.stringify(args));\n`,
      );
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });
    const bench = async (...argv: string[]) => {
      try {
        const { stdout, stderr } = await run(process.execPath, ['--experimental-strip-types', '--no-warnings', script, ...argv]);
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };

    it('parses its flags', async () => {
      const r = await bench('--rows', '20', '--json');
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toEqual({ rows: '20', json: true });
    });

    it('--help prints the flags and exits 0', async () => {
      const r = await bench('--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${benchUsage('npm run bench --', { rows: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } })}\n`);
    });

    it('an unknown flag: one line naming it, the flags, exit 2, no stack trace', async () => {
      const r = await bench('--rowz', '5');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')[0]).toMatch(/^npm run bench --: Unknown option '--rowz'/);
      expect(r.stderr).toContain('  --rows <rows> (default "10")');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });
});
