import { describe, expect, it } from 'vitest';
import { displayWidth, duration, outputWidth, renderTable, shortInstant, wrapText, type Column } from '../../../src/presentation/cli/table.js';

const cols: Column[] = [{ header: 'name' }, { header: 'n', align: 'right' }, { header: 'note', wrap: true, min: 10 }];

describe('renderTable', () => {
  it('aligns columns: text left, numbers right, two spaces apart, no trailing blanks', () => {
    expect(
      renderTable(
        cols,
        [
          ['alpha', 1, ''],
          ['b', 12345, 'x'],
        ],
        { width: 120 },
      ),
    ).toEqual(['name       n  note', 'alpha      1', 'b      12345  x']);
  });

  it('wraps a wrap column at spaces to keep every line within the width, never cutting text away', () => {
    const note = 'a retriable error that is long enough to need three lines here';
    const lines = renderTable(cols, [['alpha', 1, note]], { width: 30 });
    expect(Math.max(...lines.map(displayWidth))).toBeLessThanOrEqual(30);
    expect(lines.length).toBeGreaterThan(2);
    // the continuation lines keep the note in its column
    const at = lines[0]?.indexOf('note') ?? -1;
    expect(
      lines
        .slice(1)
        .map((l) => l.slice(at))
        .join(' '),
    ).toBe(note);
  });

  it('cuts a word longer than the column, after a comma when there is one', () => {
    expect(wrapText('101,102,103,104', 9)).toEqual(['101,102,', '103,104']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('prints a detail under its row, indented and wrapped', () => {
    const lines = renderTable([{ header: 'id' }], [{ cells: [7], detail: 'workers 0:COMPLETED #7 1:STARTED #8' }], { width: 24 });
    expect(lines).toEqual(['id', '7', '    workers 0:COMPLETED', '    #7 1:STARTED #8']);
  });

  it('counts Hangul as two columns when aligning', () => {
    const lines = renderTable(
      [{ header: 'name' }, { header: 'x' }],
      [
        ['설날', 'a'],
        ['ab', 'b'],
      ],
      { width: 80 },
    );
    expect(lines.map((l) => displayWidth(l.slice(0, l.lastIndexOf(' ') + 1)))).toEqual([6, 6, 6]);
  });

  it('leaves fixed columns whole when nothing can give way', () => {
    expect(renderTable([{ header: 'a' }, { header: 'b' }], [['x'.repeat(20), 'y'.repeat(20)]], { width: 30 })[1]).toBe(`${'x'.repeat(20)}  ${'y'.repeat(20)}`);
  });
});

describe('helpers', () => {
  it('outputWidth: the terminal width on a TTY, else no limit (a row stays on one line off a terminal)', () => {
    expect(outputWidth({ isTTY: true, columns: 88 })).toBe(88);
    expect(outputWidth({ isTTY: false, columns: 88 })).toBe(Number.POSITIVE_INFINITY);
    expect(outputWidth({})).toBe(Number.POSITIVE_INFINITY);
    const key = 'tgen_20250303000000ABCDEF123456';
    const cols: Column[] = [
      { header: 'transactionKey', wrap: true },
      { header: 'amount', align: 'right' },
    ];
    expect(renderTable(cols, [[key, 1000]], { width: outputWidth({}) })).toEqual([`transactionKey                   amount`, `${key}    1000`]);
    expect(renderTable(cols, [[key, 1000]], { width: 24 }).length).toBeGreaterThan(2); // on a narrow terminal it wraps
  });

  it('shortInstant and duration', () => {
    expect(shortInstant('2025-12-01T21:58:19.123Z')).toBe('2025-12-01 21:58:19');
    expect(shortInstant(null)).toBe('-');
    expect([450, 12_300, 245_000, 11_040_000, 183_600_000].map(duration)).toEqual(['450ms', '12s', '4m05s', '3h04m', '2d03h']);
  });
});
