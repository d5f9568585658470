import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * bin/settle.js gives produce, replay and consume small-heap defaults by replacing its own process image
 * (process.execve) once: same pid, flags the user gave win, other flags in NODE_OPTIONS still apply. A preload
 * in NODE_OPTIONS reports what each image ran with.
 */
const BIN = fileURLToPath(new URL('../../bin/settle.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'settle-heap-'));
const preload = join(dir, 'report.cjs');
writeFileSync(
  preload,
  `process.stderr.write('image ' + JSON.stringify({ pid: process.pid, execArgv: process.execArgv, marker: process.env.SETTLE_HEAP_DEFAULTS ?? null, arenas: process.env.MALLOC_ARENA_MAX ?? null }) + '\\n');\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Image {
  pid: number;
  execArgv: string[];
  marker: string | null;
  arenas: string | null;
}

const run = (
  args: string[],
  nodeOptions: string,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number; images: Image[]; stdout: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: `--require ${preload} ${nodeOptions}`.trim(), ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const images = stderr
          .split('\n')
          .filter((l) => l.startsWith('image '))
          .map((l) => JSON.parse(l.slice(6)) as Image);
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, images, stdout });
      },
    );
  });

describe('heap defaults of the binary', () => {
  it('produce runs once more, in the same process, with the defaults added', async () => {
    const r = await run(['produce', '--help'], '');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: settle produce');
    expect(r.images).toHaveLength(2);
    const [first, second] = r.images as [Image, Image];
    expect(second.pid).toBe(first.pid);
    expect(first.marker).toBeNull();
    expect(second.execArgv).toEqual(expect.arrayContaining(['--max-semi-space-size=4', '--max-old-space-size=128']));
    expect(second.marker).toContain('--max-semi-space-size=4');
    expect([first.arenas, second.arenas]).toEqual([null, '2']);
  });

  it('two malloc arenas unless the environment says how many, even when every heap flag was given', async () => {
    const flagsGiven = await run(['consume', '--help'], '--max-semi-space-size=8 --max-old-space-size=100');
    expect(flagsGiven.images.map((i) => [i.execArgv, i.arenas, i.marker])).toEqual([
      [[], null, null],
      [[], '2', 'MALLOC_ARENA_MAX=2'],
    ]);
    const arenasGiven = await run(['produce', '--help'], '', [], { MALLOC_ARENA_MAX: '4' });
    expect(arenasGiven.images.map((i) => i.arenas)).toEqual(['4', '4']);
    expect(arenasGiven.images[1]?.marker).not.toContain('MALLOC_ARENA_MAX');
  });

  it('consume gets 8 MB semi-spaces and a 112 MB old space that grows in 3x steps (fewer full GCs)', async () => {
    const r = await run(['consume', '--help'], '');
    expect(r.code).toBe(0);
    expect(r.images.map((i) => i.execArgv)).toEqual([[], ['--max-semi-space-size=8', '--max-old-space-size=112', '--heap-growing-percent=200']]);
  });

  it('a flag the user gave wins: only the missing ones are added', async () => {
    const viaEnv = await run(['--log-level', 'warn', 'consume', '--help'], '--max-old-space-size=300');
    expect(viaEnv.images).toHaveLength(2);
    expect(viaEnv.images[1]?.execArgv).toEqual(['--max-semi-space-size=8']);
    const viaArgs = await run(['produce', '--help'], '', ['--max_semi_space_size=8']);
    expect(viaArgs.images[1]?.execArgv).toEqual(['--max-old-space-size=128', '--heap-growing-percent=200', '--max_semi_space_size=8']);
  });

  it('nothing to add, another command, or already applied: one image', async () => {
    expect((await run(['produce', '--help'], '--max-semi-space-size=8 --max-old-space-size=100', [], { MALLOC_ARENA_MAX: '2' })).images).toHaveLength(1);
    expect((await run(['calendar', '--help'], '')).images).toHaveLength(1);
    const applied = await new Promise<number>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'produce', '--help'],
        { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: `--require ${preload}`, SETTLE_HEAP_DEFAULTS: 'x' } },
        (_e, _o, stderr) => resolve(stderr.split('\n').filter((l) => l.startsWith('image ')).length),
      );
    });
    expect(applied).toBe(1);
  });
});
