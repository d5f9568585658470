import { describe, expect, it } from 'vitest';
import { StatusLine } from '../../../src/presentation/progress/status-line.js';
import { defaultLogLevel } from '../../../src/presentation/cli/run-cli.js';

function fakeTerminal(columns = 40) {
  const out: string[] = [];
  const stream = { isTTY: true, columns, write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, out };
}

describe('StatusLine', () => {
  it('keeps the last line: text written meanwhile goes above it, whole lines only, in one write each', () => {
    const { stream, out } = fakeTerminal();
    const line = new StatusLine(stream);
    const original = stream.write;
    line.start(' page 1');
    expect(stream.write).not.toBe(original);
    out.length = 0;
    stream.write('12:00:00 WARN  half');
    expect(out).toEqual([]); // held until its line is complete
    stream.write(' a line\n');
    expect(out).toEqual(['\r\x1b[2K12:00:00 WARN  half a line\n page 1']);
    line.update(' page 2');
    expect(out.at(-1)).toBe('\r\x1b[2K page 2');
    line.stop(' page 3 done');
    expect(out.at(-1)).toBe('\r\x1b[2K page 3 done\n\x1b[?25h');
    expect(stream.write).toBe(original);
  });

  it('cuts the line to the terminal width so it never wraps', () => {
    const { stream, out } = fakeTerminal(10);
    const line = new StatusLine(stream);
    line.start('0123456789abc');
    expect(out.at(-1)).toBe('\x1b[?25l\r\x1b[2K012345678');
    line.stop();
  });

  it('clears and redraws around writes to stdout on the same terminal', () => {
    const err = fakeTerminal();
    const std = fakeTerminal();
    const line = new StatusLine(err.stream, [std.stream]);
    line.start('bar');
    std.stream.write('result\n');
    expect(std.out).toEqual(['result\n']);
    expect(err.out.slice(-2)).toEqual(['\r\x1b[2K', 'bar']);
    line.stop();
  });
});

describe('defaultLogLevel', () => {
  it('info off a terminal; on a terminal warn, consume info', () => {
    expect(defaultLogLevel('reconcile', false)).toBe('info');
    expect(defaultLogLevel('produce', false)).toBe('info');
    expect(defaultLogLevel('reconcile', true)).toBe('warn');
    expect(defaultLogLevel('produce', true)).toBe('warn');
    expect(defaultLogLevel('jobs list', true)).toBe('warn');
    expect(defaultLogLevel('consume', true)).toBe('info');
  });
});
